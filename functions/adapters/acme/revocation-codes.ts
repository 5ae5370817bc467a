import { REVOCATION_REASON_CODES } from "../../domain/revocation-reasons.ts";
import { CaRejected } from "../../ports/certificate-authority.ts";

/** The RFC 5280 CRLReason code ACME's revokeCert takes for a subscriber's reason name. */
export function revocationReasonCode(reason: string): number {
  if (Object.hasOwn(REVOCATION_REASON_CODES, reason)) {
    return REVOCATION_REASON_CODES[reason as keyof typeof REVOCATION_REASON_CODES];
  }
  throw new CaRejected(
    `Revocation reason "${reason}" is not one a subscriber may give (${Object.keys(REVOCATION_REASON_CODES).join(", ")}).`,
  );
}
