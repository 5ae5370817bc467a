import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { certificateDer, parseCertificate } from "../../../functions/pki/certificate-info.ts";
import { issueLeafCertificate } from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { hierarchy, leafFor, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";

const { root, intermediate } = await hierarchy();

describe("parseCertificate", () => {
  it("reads a leaf: names, subject, issuer, dates, key, usages, fingerprint", async () => {
    const { certificatePem } = await leafFor(
      intermediate,
      ["shop.example.com", "WWW.shop.example.com"],
      "RSA-2048",
    );
    const info = parseCertificate(certificatePem);
    const der = certificateDer(certificatePem);
    const expectedFingerprint = createHash("sha256").update(der).digest("hex").toUpperCase();
    expect(info).toMatchObject({
      subject: "CN=shop.example.com",
      issuer: "O=Test, CN=Test Issuing CA",
      commonName: "shop.example.com",
      names: ["shop.example.com", "www.shop.example.com"],
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      isCa: false,
      publicKey: { algorithm: "RSA", bits: 2048, keyType: "RSA-2048" },
      signatureAlgorithm: "ecdsa-with-SHA256",
      keyUsages: ["digitalSignature", "keyEncipherment"],
      extendedKeyUsages: ["serverAuth", "clientAuth"],
    });
    expect(info.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(info.sha256Fingerprint.replaceAll(":", "")).toBe(expectedFingerprint);
    expect(parseCertificate(der)).toEqual(info);
    expect(parseCertificate(new TextEncoder().encode(certificatePem))).toEqual(info);
  });

  it("reads CA certificates with their path length", () => {
    expect(parseCertificate(root.certificatePem)).toMatchObject({
      isCa: true,
      pathLength: 1,
      subject: "CN=Test Root",
      issuer: "CN=Test Root",
      keyUsages: ["keyCertSign", "cRLSign"],
      publicKey: { keyType: "EC-P384" },
    });
    expect(parseCertificate(intermediate.certificatePem)).toMatchObject({
      isCa: true,
      pathLength: 0,
    });
  });

  it.each([
    [[0x00, 0x00, 0x12, 0x34], "1234"],
    [[0xab, 0xcd], "abcd"],
    [[0x00, 0xff, 0x01], "ff01"],
    [[0x7f, ...new Array(15).fill(0xee)], `7f${"ee".repeat(15)}`],
  ])("writes serial %j as lowercase hex without a leading zero byte", async (bytes, hex) => {
    const keys = await generateKeyPair("EC-P256");
    const certificatePem = await issueLeafCertificate({
      csrPem: await buildCsr({ keys, names: ["a.example.com"] }),
      names: ["a.example.com"],
      subject: { product: "DV" },
      issuer: intermediate,
      serialNumber: new Uint8Array(bytes),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(parseCertificate(certificatePem).serialNumber).toBe(hex);
  });

  it.each([
    [
      "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
      "CERTIFICATE REQUEST, not a CERTIFICATE",
    ],
    ["just text", "No PEM certificate"],
  ])("refuses what is not a certificate (%#)", (input, message) => {
    expect(() => parseCertificate(input)).toThrow(message);
  });
});
