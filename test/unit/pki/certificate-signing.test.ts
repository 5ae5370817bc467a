import "reflect-metadata";
import { SubjectAlternativeNameExtension, X509Certificate } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { KEY_TYPES, type KeyType } from "../../../functions/domain/key-types.ts";
import { verifyChain } from "../../../functions/pki/certificate-chain.ts";
import { parseCertificate } from "../../../functions/pki/certificate-info.ts";
import { createRootCa, issueLeafCertificate } from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { publicKeyMatches } from "../../../functions/pki/key-import.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { DURING, hierarchy, leafFor, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";
import { withFlippedSignatureBit } from "./crafted-csrs.ts";

const { root, intermediate } = await hierarchy();

describe("the embedded CA's hierarchy", () => {
  it("has a root and an intermediate marked and linked as CAs", () => {
    const rootInfo = parseCertificate(root.certificatePem);
    const intermediateInfo = parseCertificate(intermediate.certificatePem);
    expect(rootInfo).toMatchObject({
      isCa: true,
      pathLength: 1,
      keyUsages: ["keyCertSign", "cRLSign"],
    });
    expect(rootInfo.authorityKeyId).toBe(rootInfo.subjectKeyId);
    expect(intermediateInfo).toMatchObject({
      isCa: true,
      pathLength: 0,
      keyUsages: ["keyCertSign", "cRLSign"],
      extendedKeyUsages: ["serverAuth", "clientAuth"],
      issuer: "CN=Test Root",
      signatureAlgorithm: "ecdsa-with-SHA384",
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(intermediateInfo.authorityKeyId).toBe(rootInfo.subjectKeyId);
    const critical = (pem: string) =>
      new X509Certificate(pem).extensions
        .filter((extension) => extension.critical)
        .map((extension) => extension.type);
    expect(critical(intermediate.certificatePem).sort()).toEqual(["2.5.29.15", "2.5.29.19"]);
  });

  it("refuses dates that end before they start", async () => {
    await expect(
      createRootCa({
        commonName: "R",
        keyType: "EC-P256",
        notBefore: NOT_AFTER,
        notAfter: NOT_BEFORE,
      }),
    ).rejects.toThrow("notAfter must be later");
  });
});

describe("issueLeafCertificate", () => {
  it.each(KEY_TYPES)(
    "issues for a %s CSR a leaf that verifies up to the root",
    async (keyType: KeyType) => {
      const names = ["shop.example.com", "www.shop.example.com"];
      const { keys, certificatePem, serialNumber } = await leafFor(intermediate, names, keyType);
      expect(
        verifyChain(certificatePem, [intermediate.certificatePem], root.certificatePem, {
          at: DURING,
        }),
      ).toEqual({
        ok: true,
        problems: [],
      });
      const info = parseCertificate(certificatePem);
      expect(info).toMatchObject({
        subject: "CN=shop.example.com",
        names,
        isCa: false,
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        publicKey: { keyType },
        keyUsages: keyType.startsWith("RSA")
          ? ["digitalSignature", "keyEncipherment"]
          : ["digitalSignature"],
        extendedKeyUsages: ["serverAuth", "clientAuth"],
        authorityKeyId: parseCertificate(intermediate.certificatePem).subjectKeyId,
      });
      expect(info.serialNumber).toBe(
        Buffer.from(serialNumber)
          .toString("hex")
          .replace(/^(00)+/, ""),
      );
      expect(publicKeyMatches(keys.privateKey, certificatePem)).toBe(true);
    },
  );

  it("leaves out a CN over 64 characters and marks the SAN critical then", async () => {
    const long = `${"a".repeat(60)}.example.com`;
    const { certificatePem } = await leafFor(intermediate, [long, "b.example.com"]);
    const info = parseCertificate(certificatePem);
    expect(info.subject).toBe("");
    expect(info.commonName).toBeUndefined();
    expect(info.names).toEqual([long, "b.example.com"]);
    expect(
      new X509Certificate(certificatePem).getExtension(SubjectAlternativeNameExtension)?.critical,
    ).toBe(true);
    const { certificatePem: short } = await leafFor(intermediate, ["b.example.com"]);
    expect(new X509Certificate(short).getExtension(SubjectAlternativeNameExtension)?.critical).toBe(
      false,
    );
  });

  it("uses the names given, not the CSR's", async () => {
    const keys = await generateKeyPair("EC-P256");
    const certificatePem = await issueLeafCertificate({
      csrPem: await buildCsr({ keys, names: ["csr.example.com"] }),
      names: ["order.example.com"],
      issuer: intermediate,
      serialNumber: new Uint8Array(16).fill(7),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(parseCertificate(certificatePem).names).toEqual(["order.example.com"]);
  });

  it("signs with an RSA root as well", async () => {
    const rsa = await hierarchy("RSA-2048", "RSA-2048");
    const { certificatePem } = await leafFor(rsa.intermediate);
    expect(parseCertificate(certificatePem).signatureAlgorithm).toBe("sha256WithRSAEncryption");
    expect(
      verifyChain(certificatePem, [rsa.intermediate.certificatePem], rsa.root.certificatePem, {
        at: DURING,
      }).ok,
    ).toBe(true);
  });

  it.each([
    ["a CSR with a broken signature", { tamper: true }, "signature does not verify"],
    ["no names", { names: [] }, "at least one name"],
    ["a non-ASCII name", { names: ["bücher.example"] }, "ASCII"],
    ["a zero serial number", { serialNumber: new Uint8Array(16) }, "must not be zero"],
    ["dates in the wrong order", { notAfter: NOT_BEFORE }, "notAfter must be later"],
  ])("refuses %s", async (_, change, message) => {
    const keys = await generateKeyPair("EC-P256");
    const csrPem = await buildCsr({ keys, names: ["a.example.com"] });
    await expect(
      issueLeafCertificate({
        csrPem: "tamper" in change ? withFlippedSignatureBit(csrPem) : csrPem,
        names: "names" in change ? change.names : ["a.example.com"],
        issuer: intermediate,
        serialNumber: "serialNumber" in change ? change.serialNumber : new Uint8Array(16).fill(1),
        notBefore: NOT_BEFORE,
        notAfter: "notAfter" in change ? change.notAfter : NOT_AFTER,
      }),
    ).rejects.toThrow(message);
  });
});
