import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { OPENSSL_NEW_KEY, opensslWorkspace } from "../../pki/openssl-tools.ts";

// The embedded CA's CRL as openssl sees it: a leaf verifies with -crl_check before its
// revocation and is refused after it, and the CRL and the leaf say what clients need.

const { openssl, file, read, newKeyRequest } = opensslWorkspace("certflow-eca-crl-");
const CRL_BASE = "http://pki.certflow.test";
const blobs = createMemoryBlobStore();
const ca = new EmbeddedCertificateAuthority({
  vault: new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32))),
  dcv: { check: async () => ({ ok: true }) },
  clock: { now: () => new Date() },
  crlBaseUrl: CRL_BASE,
});

/** A certificate from the embedded CA for an openssl-made key; its path and the CA bundle's. */
async function issue(name: string) {
  newKeyRequest(name, {
    newKey: OPENSSL_NEW_KEY["EC-P256"],
    subject: `/CN=${name}`,
    extra: ["-addext", `subjectAltName=DNS:${name}`],
  });
  const names: OrderName[] = [{ ascii: name, display: name, wildcard: false }];
  const placed = await ca.placeOrder({ orderId: `ord_${name}`, names, method: "dns-txt" });
  await ca.requestValidation(placed.caOrderRef);
  const progress = await ca.finalize(placed.caOrderRef, read(`${name}.csr`), 90, {
    product: "DV",
  });
  if (progress.state !== "issued") throw new Error(`${name} was not issued`);
  const root = await ca.rootCertificatePem();
  return {
    certificatePem: progress.certificatePem,
    leafPath: file(`${name}.pem`, progress.certificatePem),
    caPath: file("ca-bundle.pem", root + progress.chainPems.join("")),
  };
}

/** The CRL the CA published (DER), as a file, and as PEM for openssl verify. */
async function publishedCrl(name: string) {
  const der = await blobs.get("public/ca/crl.der");
  if (der === undefined) throw new Error("no CRL published");
  const derPath = file(`${name}.der`, der);
  const pemPath = file(`${name}.pem`);
  openssl(["crl", "-inform", "DER", "-in", derPath, "-out", pemPath]);
  return { derPath, pemPath };
}

/** openssl verify's exit status and everything it printed. */
function verifyWithCrl(caPath: string, crlPath: string, leafPath: string) {
  try {
    const out = execFileSync(
      "openssl",
      ["verify", "-crl_check", "-CAfile", caPath, "-CRLfile", crlPath, leafPath],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return { ok: true, output: out };
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

describe("the embedded CA's CRL, read by openssl", () => {
  it("lets openssl verify -crl_check accept a leaf before its revocation and refuse it after", async () => {
    // Prepare
    const { certificatePem, leafPath, caPath } = await issue("shop.example.com");
    await ca.refreshRevocationList();
    const before = await publishedCrl("crl-before");

    // Act
    const accepted = verifyWithCrl(caPath, before.pemPath, leafPath);
    await ca.revoke({ tenantId: "tenant-a", certificatePem, reason: "keyCompromise" });
    const after = await publishedCrl("crl-after");
    const refused = verifyWithCrl(caPath, after.pemPath, leafPath);

    // Assess
    expect(accepted).toEqual({ ok: true, output: `${leafPath}: OK\n` });
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/error 23 at 0 depth lookup: certificate revoked/);
  });

  it("shows a v2 CRL of the issuing CA with its next update, number, key identifier and the reason", async () => {
    // Prepare
    const { certificatePem } = await issue("www.example.com");
    const serial = openssl(["x509", "-noout", "-serial", "-in", file("www.pem", certificatePem)])
      .replace(/^serial=/, "")
      .trim();
    await ca.revoke({ tenantId: "tenant-a", certificatePem, reason: "cessationOfOperation" });
    const { derPath, pemPath } = await publishedCrl("crl-text");

    // Act
    const text = openssl(["crl", "-inform", "DER", "-in", derPath, "-noout", "-text"]);
    // openssl crl checks the signature against the CA bundle and says so on stderr.
    const signature = spawnSync(
      "openssl",
      ["crl", "-in", pemPath, "-CAfile", file("ca-bundle.pem"), "-noout"],
      { encoding: "utf8" },
    );

    // Assess
    expect(text).toContain("Version 2 (0x1)");
    expect(text).toMatch(/Issuer: CN ?= ?certflow Embedded Issuing CA/);
    expect(text).toMatch(/Last Update: \w{3} +\d+ \d\d:\d\d:\d\d \d{4} GMT/);
    expect(text).toMatch(/Next Update: \w{3} +\d+ \d\d:\d\d:\d\d \d{4} GMT/);
    expect(text).toMatch(/X509v3 CRL Number: \n\s+\d+/);
    expect(text).toContain("X509v3 Authority Key Identifier");
    expect(text).toContain(`Serial Number: ${serial}`);
    expect(text).toMatch(/X509v3 CRL Reason Code: \n\s+Cessation Of Operation/);
    expect(text).toMatch(/X509v3 CRL Reason Code: \n\s+Key Compromise/);
    expect(signature.status).toBe(0);
    expect(signature.stderr.trim()).toBe("verify OK");
  });

  it("names the CRL's URL in each leaf's X509v3 CRL Distribution Points", async () => {
    const { leafPath } = await issue("api.example.com");

    const text = openssl(["x509", "-in", leafPath, "-noout", "-text"]);

    expect(text).toMatch(
      /X509v3 CRL Distribution Points: \n\s+Full Name:\n\s+URI:http:\/\/pki\.certflow\.test\/v1\/ca\/crl/,
    );
  });
});
