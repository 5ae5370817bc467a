import type { CertificateFacts } from "../../functions/domain/installation-check.ts";
import type { OrderName, OrderRecord } from "../../functions/domain/order-record.ts";
import { parseCertificate } from "../../functions/pki/certificate-info.ts";
import {
  type CaKeys,
  createIntermediateCa,
  createRootCa,
  issueLeafCertificate,
} from "../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../functions/pki/key-pairs.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import type { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { sampleOrder } from "./order-store-contract.ts";

export const ISSUED_FROM = new Date("2027-01-01T00:00:00Z");
export const ISSUED_UNTIL = new Date("2027-07-01T00:00:00Z");
/** A time within every certificate of the kit. */
export const WHILE_VALID = new Date("2027-03-01T12:00:00Z");

/** A root and an intermediate, made in-process (no openssl). */
export async function testHierarchy() {
  const root = await createRootCa({
    commonName: "Installation Test Root",
    keyType: "EC-P256",
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2031-01-01T00:00:00Z"),
  });
  const intermediate = await createIntermediateCa({
    commonName: "Installation Test Issuing CA",
    organization: "certflow tests",
    issuer: root,
    keyType: "EC-P256",
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2031-01-01T00:00:00Z"),
  });
  return { root, intermediate };
}

/** A leaf for `names` from `issuer`, with its private key as PKCS#8 PEM. */
export async function testLeaf(
  issuer: CaKeys,
  names: readonly string[],
  validity: { readonly notBefore?: Date; readonly notAfter?: Date } = {},
) {
  const keys = await generateKeyPair("EC-P256");
  const csrPem = await buildCsr({ keys, names });
  const serialNumber = crypto.getRandomValues(new Uint8Array(16));
  serialNumber[0] = ((serialNumber[0] ?? 0) & 0x7f) | 0x01;
  const certificatePem = await issueLeafCertificate({
    csrPem,
    names,
    subject: { product: "DV" },
    issuer,
    serialNumber,
    notBefore: validity.notBefore ?? ISSUED_FROM,
    notAfter: validity.notAfter ?? ISSUED_UNTIL,
  });
  return { certificatePem, keys, info: parseCertificate(certificatePem) };
}

/** What the installation check reads from a certificate. */
export function factsOf(pem: string): CertificateFacts {
  const info = parseCertificate(pem);
  return {
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    sha256Fingerprint: info.sha256Fingerprint,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    names: info.names,
  };
}

const orderName = (ascii: string): OrderName => ({
  ascii,
  display: ascii,
  wildcard: ascii.startsWith("*."),
});

/**
 * Seeds an ISSUED order holding `certificatePem` (stored in the vault with `chainPems`), as
 * StoreCertificate and MarkOrderIssued leave it; `overrides` change the record.
 */
export async function seedIssuedOrder(
  deps: { readonly store: OrderStore; readonly vault: CertificateVault },
  input: {
    readonly orderId: string;
    readonly names: readonly string[];
    readonly certificatePem: string;
    readonly chainPems: readonly string[];
    readonly tenantId?: string;
    readonly overrides?: Partial<OrderRecord>;
  },
): Promise<OrderRecord> {
  const record = sampleOrder({
    orderId: input.orderId,
    tenantId: input.tenantId ?? "tenant-a",
    names: input.names.map(orderName),
  });
  const created = await deps.store.create(record, {
    at: record.createdAt,
    type: "note",
    message: "seeded",
  });
  if (!created.created) throw new Error(`Order ${input.orderId} exists already.`);
  await deps.vault.putCertificate(input.orderId, input.certificatePem, input.chainPems);
  const info = parseCertificate(input.certificatePem);
  // Written as the workflow leaves it, without walking the statuses in between.
  return deps.store.update(created.order, {
    status: "ISSUED",
    certificate: {
      serialNumber: info.serialNumber,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      sha256Fingerprint: info.sha256Fingerprint,
      renewAt: info.notAfter.toISOString(),
    },
    ...input.overrides,
  });
}
