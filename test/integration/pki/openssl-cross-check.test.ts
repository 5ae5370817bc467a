import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEY_TYPES } from "../../../functions/domain/key-types.ts";
import { parseCertificate } from "../../../functions/pki/certificate-info.ts";
import {
  createIntermediateCa,
  createRootCa,
  issueLeafCertificate,
} from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";

const work = mkdtempSync(join(tmpdir(), "certflow-pki-"));
const openssl = (args: string[]) =>
  execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const file = (name: string, content: string) => {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
};

describe("CSRs made by certflow", () => {
  it.each(KEY_TYPES)(
    "are accepted by openssl req -verify (%s), with one RDN per attribute",
    async (keyType) => {
      const csr = await buildCsr({
        keys: await generateKeyPair(keyType),
        names: ["shop.example.com", "www.shop.example.com"],
        subject: {
          organization: "Example GmbH",
          locality: "Berlin",
          state: "Berlin",
          country: "DE",
        },
      });
      const path = file(`${keyType}.csr`, csr);
      expect(() => openssl(["req", "-in", path, "-verify", "-noout"])).not.toThrow();
      const text = openssl(["req", "-in", path, "-noout", "-text"]);
      expect(text).toContain("DNS:shop.example.com, DNS:www.shop.example.com");
      const subject = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253"]);
      expect(subject.trim()).toBe(
        "subject=CN=shop.example.com,O=Example GmbH,L=Berlin,ST=Berlin,C=DE",
      );
      expect(subject).not.toContain("+");
    },
  );
});

describe("CSRs made by openssl", () => {
  it("pass verification when their names match the order", async () => {
    const key = join(work, "openssl.key");
    const csrPath = join(work, "openssl.csr");
    openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      csrPath,
      "-subj",
      "/CN=a.example.com",
      "-addext",
      "subjectAltName=DNS:a.example.com,DNS:b.example.com",
    ]);
    const csr = execFileSync("cat", [csrPath], { encoding: "utf8" });
    const verification = await verifyCsr(csr, ["a.example.com", "b.example.com"]);
    expect(verification.defects).toEqual([]);
    expect(verification.summary?.keyType).toBe("RSA-2048");
  });

  it("list every defect of a weak, SHA-1 signed CSR for other names", async () => {
    const csrPath = join(work, "weak.csr");
    openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:1024",
      "-sha1",
      "-nodes",
      "-keyout",
      join(work, "weak.key"),
      "-out",
      csrPath,
      "-subj",
      "/CN=other.example.com",
    ]);
    const csr = execFileSync("cat", [csrPath], { encoding: "utf8" });
    const verification = await verifyCsr(csr, ["shop.example.com"]);
    expect(verification.defects.map((defect) => defect.code).sort()).toEqual(
      [
        "COMMON_NAME_MISMATCH",
        "KEY_TOO_SMALL",
        "NAME_MISSING",
        "NAME_NOT_ORDERED",
        "WEAK_SIGNATURE_HASH",
      ].sort(),
    );
  });
});

describe("certificates issued by the signing helpers", () => {
  it("verify with openssl from leaf to root, and parse as openssl reads them", async () => {
    const now = new Date();
    const later = new Date(now.getTime() + 30 * 86_400_000);
    const root = await createRootCa({
      commonName: "Test Root",
      keyType: "EC-P384",
      notBefore: now,
      notAfter: later,
    });
    const intermediate = await createIntermediateCa({
      commonName: "Test Issuing CA",
      issuer: root,
      keyType: "EC-P256",
      notBefore: now,
      notAfter: later,
    });
    const csr = await buildCsr({
      keys: await generateKeyPair("RSA-2048"),
      names: ["shop.example.com", "www.shop.example.com"],
    });
    const leaf = await issueLeafCertificate({
      csrPem: csr,
      names: ["shop.example.com", "www.shop.example.com"],
      issuer: intermediate,
      serialNumber: new Uint8Array(16).fill(0xab),
      notBefore: now,
      notAfter: later,
    });
    const rootPath = file("root.pem", root.certificatePem);
    const intermediatePath = file("intermediate.pem", intermediate.certificatePem);
    const leafPath = file("leaf.pem", leaf);
    expect(
      openssl(["verify", "-CAfile", rootPath, "-untrusted", intermediatePath, leafPath]),
    ).toContain(": OK");
    const info = parseCertificate(leaf);
    expect(info.names).toEqual(["shop.example.com", "www.shop.example.com"]);
    expect(info.serialNumber).toBe("ab".repeat(16));
    const fingerprint = openssl(["x509", "-in", leafPath, "-noout", "-fingerprint", "-sha256"]);
    expect(fingerprint.trim()).toBe(`sha256 Fingerprint=${info.sha256Fingerprint}`);
    const extensions = openssl([
      "x509",
      "-in",
      leafPath,
      "-noout",
      "-ext",
      "keyUsage,extendedKeyUsage,basicConstraints",
    ]);
    expect(extensions).toContain("Digital Signature, Key Encipherment");
    expect(extensions).toContain("TLS Web Server Authentication");
    expect(extensions).toContain("CA:FALSE");
  });
});
