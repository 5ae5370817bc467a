import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import type { CertificateIdentity } from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { OPENSSL_NEW_KEY, opensslWorkspace } from "../../pki/openssl-tools.ts";

// The embedded CA issues DV, OV and EV certificates whose subject and policy come from the
// order; openssl reads them. The CSRs (made by openssl) claim another organization.

const { openssl, file, read, newKeyRequest } = opensslWorkspace("certflow-eca-identity-");
const NAMES = ["shop.example.com", "www.shop.example.com"];
const ORDER_NAMES: OrderName[] = NAMES.map((name) => ({
  ascii: name,
  display: name,
  wildcard: false,
}));
const organization = {
  name: "Example Widgets GmbH",
  unit: "Web Shop",
  locality: "München",
  state: "Bayern",
  country: "DE",
};
const ev = {
  jurisdictionCountry: "DE",
  jurisdictionState: "Bayern",
  jurisdictionLocality: "München",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 123456",
};

const ca = new EmbeddedCertificateAuthority({
  vault: new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(new Uint8Array(32))),
  dcv: { check: async () => ({ ok: true }) },
  clock: { now: () => new Date() },
});
const rootPath = file("root.pem", await ca.rootCertificatePem());

/** A certificate from the embedded CA for an openssl-made CSR that says O=Evil Corp. */
async function issue(name: string, identity: CertificateIdentity) {
  newKeyRequest(name, {
    newKey: OPENSSL_NEW_KEY["EC-P256"],
    subject: "/C=US/ST=Nevada/L=Las Vegas/O=Evil Corp/OU=Ops/serialNumber=666/CN=shop.example.com",
    extra: ["-addext", `subjectAltName=${NAMES.map((n) => `DNS:${n}`).join(",")}`],
  });
  const placed = await ca.placeOrder({
    orderId: `ord_${name}`,
    names: ORDER_NAMES,
    method: "dns-txt",
  });
  await ca.requestValidation(placed.caOrderRef);
  const progress = await ca.finalize(placed.caOrderRef, read(`${name}.csr`), 90, identity);
  if (progress.state !== "issued") throw new Error(`${name} was not issued`);
  const leafPath = file(`${name}.pem`, progress.certificatePem);
  const chainPath = file(`${name}-chain.pem`, progress.chainPems.join(""));
  return { leafPath, chainPath };
}

/** openssl's one-line subject, in DER order, UTF-8 kept (without openssl's `subject=`). */
const subjectLine = (path: string) =>
  openssl(["x509", "-in", path, "-noout", "-subject", "-nameopt", "oneline,-esc_msb,utf8"])
    .replace(/^subject=\s*/, "")
    .trim();
/** The subject with each value's ASN.1 string type, as `-nameopt show_type` prints it. */
const typedSubject = (path: string) =>
  openssl([
    "x509",
    "-in",
    path,
    "-noout",
    "-subject",
    "-nameopt",
    "sep_comma_plus_space,show_type,sname,utf8,-esc_msb",
  ])
    .replace(/^subject=\s*/, "")
    .trim();
const text = (path: string) => openssl(["x509", "-in", path, "-noout", "-subject", "-text"]);
const verifies = (leafPath: string, chainPath: string) =>
  openssl([
    "verify",
    "-x509_strict",
    "-purpose",
    "sslserver",
    "-CAfile",
    rootPath,
    "-untrusted",
    chainPath,
    leafPath,
  ]);

describe("the embedded CA's DV, OV and EV certificates, read by openssl", () => {
  it("DV: CN only and policy 2.23.140.1.2.1; nothing of the CSR's subject", async () => {
    const { leafPath, chainPath } = await issue("dv", { product: "DV" });

    expect(subjectLine(leafPath)).toBe("CN = shop.example.com");
    const dump = text(leafPath);
    expect(dump).toContain("X509v3 Certificate Policies: \n                Policy: 2.23.140.1.2.1");
    expect(dump).not.toContain("Evil Corp");
    expect(verifies(leafPath, chainPath)).toBe(`${leafPath}: OK\n`);
  });

  it("OV: C, ST, L, O, OU and CN of the order, policy 2.23.140.1.2.2", async () => {
    const { leafPath, chainPath } = await issue("ov", { product: "OV", organization });

    expect(subjectLine(leafPath)).toBe(
      "C = DE, ST = Bayern, L = München, O = Example Widgets GmbH, OU = Web Shop, CN = shop.example.com",
    );
    expect(typedSubject(leafPath)).toBe(
      "C=PRINTABLESTRING:DE, ST=UTF8STRING:Bayern, L=UTF8STRING:München, O=UTF8STRING:Example Widgets GmbH, OU=UTF8STRING:Web Shop, CN=UTF8STRING:shop.example.com",
    );
    const dump = text(leafPath);
    expect(dump).toContain("Policy: 2.23.140.1.2.2");
    expect(dump).not.toContain("Policy: 2.23.140.1.2.1");
    expect(dump).not.toMatch(/Evil Corp|Nevada|Las Vegas|OU = Ops|serialNumber/);
    expect(verifies(leafPath, chainPath)).toBe(`${leafPath}: OK\n`);
  });

  it("EV: the registration (jurisdiction, businessCategory, serialNumber) too, policy 2.23.140.1.1", async () => {
    const { leafPath, chainPath } = await issue("ev", { product: "EV", organization, ev });

    expect(subjectLine(leafPath)).toBe(
      "businessCategory = Private Organization, jurisdictionC = DE, jurisdictionST = Bayern, jurisdictionL = München, serialNumber = HRB 123456, C = DE, ST = Bayern, L = München, O = Example Widgets GmbH, CN = shop.example.com",
    );
    expect(typedSubject(leafPath)).toBe(
      "businessCategory=UTF8STRING:Private Organization, jurisdictionC=PRINTABLESTRING:DE, jurisdictionST=UTF8STRING:Bayern, jurisdictionL=UTF8STRING:München, serialNumber=PRINTABLESTRING:HRB 123456, C=PRINTABLESTRING:DE, ST=UTF8STRING:Bayern, L=UTF8STRING:München, O=UTF8STRING:Example Widgets GmbH, CN=UTF8STRING:shop.example.com",
    );
    const dump = text(leafPath);
    expect(dump).toContain("Policy: 2.23.140.1.1\n");
    expect(dump).not.toMatch(/Evil Corp|OU = |666/);
    expect(verifies(leafPath, chainPath)).toBe(`${leafPath}: OK\n`);
  });
});
