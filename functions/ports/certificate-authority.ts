import type { CaaIdentity } from "../domain/caa-policy.ts";
import type { Instructions, OrderName, ValidationMethodName } from "../domain/order-record.ts";

export interface ChallengeForName {
  readonly domain: string;
  readonly method: ValidationMethodName;
  readonly instructions: Instructions;
  /** The CA already holds a valid authorization for this name: nothing needs publishing. */
  readonly alreadyValidated?: boolean;
}

export interface PlacedOrder {
  readonly caOrderRef: string;
  readonly challenges: readonly ChallengeForName[];
  /** The CA already holds valid authorizations for every name (ACME authz reuse). */
  readonly alreadyValid: boolean;
}

export interface RevocationRequest {
  /** Whose certificate: an ACME CA takes revocation from the account it issued to. */
  readonly tenantId: string;
  readonly certificatePem: string;
  /** One of REVOCATION_REASONS (RFC 5280 names). */
  readonly reason: string;
}

export type CaProgress =
  | {
      readonly state: "pending";
      readonly retryAfterSeconds?: number;
      /** What the CA reported for names it tried and will try again (its error type and detail). */
      readonly problems?: readonly { readonly domain: string; readonly detail: string }[];
    }
  | { readonly state: "valid" }
  | { readonly state: "invalid"; readonly reason: string };

export type CertificateProgress =
  | { readonly state: "processing"; readonly retryAfterSeconds?: number }
  | {
      readonly state: "issued";
      readonly certificatePem: string;
      readonly chainPems: readonly string[];
    };

/** The CAs a deployment can choose from. */
export const CA_KINDS = ["embedded", "acme"] as const;
export type CaKind = (typeof CA_KINDS)[number];

/** What may be known of a CA without talking to it. */
export interface CaProfile {
  readonly kind: CaKind;
  /** Public CAs refuse internal and single-label names; the embedded CA issues for them. */
  readonly audience: "public" | "private";
}

export function caProfileOf(kind: CaKind): CaProfile {
  return { kind, audience: kind === "acme" ? "public" : "private" };
}

/**
 * A CA as the workflow sees it. Every call is short (no sleeping inside): waiting happens in the
 * state machine between calls. Errors: CaRejected (permanent, message names the CA's reason) and
 * CaUnavailable (transient: retried by the state machine, then CA_UNAVAILABLE).
 */
export interface CertificateAuthority extends CaProfile {
  placeOrder(input: {
    readonly orderId: string;
    /** Whose order: a CNAME delegation set up by one tenant must not validate another's. */
    readonly tenantId: string;
    readonly names: readonly OrderName[];
    readonly method: ValidationMethodName;
  }): Promise<PlacedOrder>;
  requestValidation(caOrderRef: string): Promise<void>;
  validationProgress(caOrderRef: string): Promise<CaProgress>;
  /**
   * Sends the CSR. Safe to repeat: an order the CA already finalized answers its progress (no
   * second certificate), one whose finalize never reached the CA is finalized now.
   */
  finalize(caOrderRef: string, csrPem: string, validityDays: number): Promise<CertificateProgress>;
  certificateProgress(caOrderRef: string): Promise<CertificateProgress>;
  revoke(request: RevocationRequest): Promise<void>;
  /**
   * Gives up an order (it was cancelled): the CA can never issue it — its authorizations are
   * deactivated — and records the service published for it are removed. Idempotent.
   */
  abandon(caOrderRef: string): Promise<void>;
  /**
   * Who this CA is in CAA records (its issuer domain names), and the account this tenant's
   * orders are placed with (RFC 8657 `accounturi`), when the CA has accounts.
   */
  caaIdentity(tenantId: string): Promise<CaaIdentity>;
  /** The root a client must trust for certificates of this CA, when the CA hands one out. */
  rootCertificatePem(): Promise<string | undefined>;
}

export class CaRejected extends Error {
  override readonly name = "CaRejected";
}

export class CaUnavailable extends Error {
  override readonly name = "CaUnavailable";
}
