import type { KeyType } from "../../../functions/domain/key-types.ts";
import {
  type CaKeys,
  createIntermediateCa,
  createRootCa,
  issueLeafCertificate,
} from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import type { LeafSubject } from "../../../functions/pki/leaf-identity.ts";

export const NOT_BEFORE = new Date("2026-01-01T00:00:00Z");
export const NOT_AFTER = new Date("2027-01-01T00:00:00Z");
export const DURING = new Date("2026-06-01T00:00:00Z");

export async function hierarchy(
  rootKey: KeyType = "EC-P384",
  intermediateKey: KeyType = "EC-P256",
) {
  const root = await createRootCa({
    commonName: "Test Root",
    keyType: rootKey,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
  });
  const intermediate = await createIntermediateCa({
    commonName: "Test Issuing CA",
    organization: "Test",
    issuer: root,
    keyType: intermediateKey,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
  });
  return { root, intermediate };
}

export async function leafFor(
  issuer: CaKeys,
  names: readonly string[] = ["shop.example.com", "www.shop.example.com"],
  keyType: KeyType = "EC-P256",
  subject: LeafSubject = { product: "DV" },
) {
  const keys = await generateKeyPair(keyType);
  const csrPem = await buildCsr({ keys, names });
  const serialNumber = crypto.getRandomValues(new Uint8Array(16));
  const certificatePem = await issueLeafCertificate({
    csrPem,
    names,
    subject,
    issuer,
    serialNumber,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
  });
  return { keys, csrPem, certificatePem, serialNumber };
}
