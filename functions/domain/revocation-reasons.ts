/**
 * The revocation reasons a subscriber may give (RFC 5280 CRLReason; the CA/Browser Forum
 * Baseline Requirements 4.9.1.1 allow subscribers these), with their CRLReason codes.
 */
export const REVOCATION_REASON_CODES = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASON_CODES;

export const REVOCATION_REASONS = Object.keys(REVOCATION_REASON_CODES) as RevocationReason[];

const DESCRIPTIONS: Readonly<Record<RevocationReason, string>> = {
  unspecified: "no reason given",
  keyCompromise: "the private key was compromised",
  affiliationChanged: "the organization's details changed",
  superseded: "the certificate was replaced",
  cessationOfOperation: "the names are no longer in use",
};

export function describeRevocationReason(reason: RevocationReason): string {
  return DESCRIPTIONS[reason];
}
