import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import { buildCsr } from "../../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../../functions/pki/key-pairs.ts";
import {
  CaRejected,
  type CertificateIdentity,
} from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";

const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
const NAMES: OrderName[] = [
  { ascii: "shop.example.com", display: "shop.example.com", wildcard: false },
];
const organization = {
  name: "Example GmbH",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
};

/** An embedded CA whose every DCV check passes, and an order of it validated for NAMES. */
async function validatedOrder() {
  const ca = new EmbeddedCertificateAuthority({
    vault: new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(new Uint8Array(32))),
    dcv: { check: async () => ({ ok: true }) },
    clock,
  });
  const placed = await ca.placeOrder({ orderId: "ord_1", names: NAMES, method: "dns-txt" });
  await ca.requestValidation(placed.caOrderRef);
  const csrPem = await buildCsr({
    keys: await generateKeyPair("EC-P256"),
    names: ["shop.example.com"],
    subject: { organization: "Evil Corp", locality: "Springfield", country: "US" },
  });
  const finalize = (identity: CertificateIdentity) =>
    ca.finalize(placed.caOrderRef, csrPem, 90, identity);
  return { ca, finalize };
}

const subjectOf = (progress: Awaited<ReturnType<EmbeddedCertificateAuthority["finalize"]>>) =>
  progress.state === "issued" ? parseCertificate(progress.certificatePem).subject : "";

describe("the embedded CA's certificate identity", () => {
  it("names the order's organization in an OV certificate, not the CSR's", async () => {
    const { finalize } = await validatedOrder();

    const subject = subjectOf(await finalize({ product: "OV", organization }));

    expect(subject).toBe("C=DE, ST=Berlin, L=Berlin, O=Example GmbH, CN=shop.example.com");
  });

  it("gives a DV certificate the CN only, though the CSR names an organization", async () => {
    const { finalize } = await validatedOrder();

    expect(subjectOf(await finalize({ product: "DV" }))).toBe("CN=shop.example.com");
  });

  it("answers a repeated finalize with the certificate it issued", async () => {
    const { finalize } = await validatedOrder();
    const first = await finalize({ product: "OV", organization });

    const again = await finalize({ product: "DV" });

    expect(again).toEqual(first);
  });

  it("refuses (CaRejected) an OV or EV order without the details its certificate names", async () => {
    const { finalize } = await validatedOrder();

    await expect(finalize({ product: "OV" })).rejects.toThrow(CaRejected);
    await expect(finalize({ product: "EV", organization })).rejects.toThrow("registration details");
  });
});
