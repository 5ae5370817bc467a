import type { KeyType } from "../../../functions/domain/key-types.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import type { CsrDefectCode } from "../../../functions/pki/csr-defects.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";

/** The names of a typical order: a name, its www name and a wildcard. */
export const SAMPLE_NAMES = ["shop.example.com", "www.shop.example.com", "*.img.example.com"];

/** A subject with every attribute certflow writes into a CSR. */
export const FULL_SUBJECT = {
  organization: "Example GmbH",
  organizationalUnit: "Web",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
} as const;

/** The CSR certflow builds for SAMPLE_NAMES and FULL_SUBJECT, with a new key of `keyType`. */
export async function fullSubjectCsr(keyType: KeyType): Promise<string> {
  return buildCsr({
    keys: await generateKeyPair(keyType),
    names: SAMPLE_NAMES,
    subject: FULL_SUBJECT,
  });
}

/**
 * Every defect verifyCsr reports, sorted, for a CSR with a 1024-bit RSA key signed with SHA-1
 * whose CN is a name that was not ordered and which lacks an ordered name.
 */
export const WEAK_CSR_FOR_OTHER_NAMES_DEFECTS: readonly CsrDefectCode[] = [
  "COMMON_NAME_MISMATCH",
  "KEY_TOO_SMALL",
  "NAME_MISSING",
  "NAME_NOT_ORDERED",
  "WEAK_SIGNATURE_HASH",
];
