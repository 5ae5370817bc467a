import type { CaaIdentity } from "../domain/caa-policy.ts";
import type {
  EvDetails,
  Instructions,
  OrderName,
  Organization,
  ProductName,
  ValidationMethodName,
} from "../domain/order-record.ts";

export interface ChallengeForName {
  readonly domain: string;
  readonly method: ValidationMethodName;
  readonly instructions: Instructions;
  /** The CA already holds a valid authorization for this name: nothing needs publishing. */
  readonly alreadyValidated?: boolean;
}

/** Validations the service made itself as the CA's registration authority. */
export interface AttestedValidation {
  /** Names whose approver approved the order through the mailed link. */
  readonly emailApproved: readonly string[];
}

/**
 * What the certificate says its subject is, as the order holds it when the CSR is sent (a
 * resubmission may have corrected it): a CA takes the subject from this, never from the CSR.
 */
export interface CertificateIdentity {
  readonly product: ProductName;
  /** OV and EV. */
  readonly organization?: Organization;
  /** EV: the registration details. */
  readonly ev?: EvDetails;
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

/** What a CA that publishes its own revocation list published. */
export interface PublishedRevocationList {
  /** The CRL number (RFC 5280 5.2.3): each list the CA signs has a higher one. */
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** How many certificates it lists. */
  readonly revoked: number;
}

/** Where the service publishes a CA's revocation list, under its public base URL. */
export const CRL_PATH = "/v1/ca/crl";

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
    /** Email validation: who approves each name, by ASCII name. */
    readonly approvers?: Readonly<Record<string, string>>;
    /**
     * Names this tenant proved control of within the reuse period, by the service's own record:
     * a CA that takes the service as its registration authority (the embedded CA) holds them
     * validated; a public CA decides for itself.
     */
    readonly reusable?: readonly string[];
    /** The CA profile to issue under (ACME `profile`), one the CA's directory offers. */
    readonly profile?: string;
    /**
     * A renewal: the ARI CertID of the certificate it replaces (RFC 9773 `replaces`). A CA that
     * refuses it (already replaced, say) gets the order without it.
     */
    readonly replaces?: string;
  }): Promise<PlacedOrder>;
  /**
   * Gives a pending order's names not yet validated new challenges of another method (the
   * customer switched method or approver while waiting): their new instructions.
   */
  changeMethod(
    caOrderRef: string,
    input: {
      readonly tenantId: string;
      readonly names: readonly OrderName[];
      readonly method: ValidationMethodName;
      readonly approvers?: Readonly<Record<string, string>>;
    },
  ): Promise<readonly ChallengeForName[]>;
  /**
   * Asks the CA to validate. `attested` lists what the service itself validated as the CA's
   * registration authority (names approved by email); only the embedded CA accepts it.
   */
  requestValidation(caOrderRef: string, attested?: AttestedValidation): Promise<void>;
  validationProgress(caOrderRef: string): Promise<CaProgress>;
  /**
   * Sends the CSR. Safe to repeat: an order the CA already finalized answers its progress (no
   * second certificate), one whose finalize never reached the CA is finalized now. `identity`
   * is what the certificate names (product, organization, EV details); ACME CAs issue DV only
   * and ignore it.
   */
  finalize(
    caOrderRef: string,
    csrPem: string,
    validityDays: number,
    identity: CertificateIdentity,
  ): Promise<CertificateProgress>;
  certificateProgress(caOrderRef: string): Promise<CertificateProgress>;
  /**
   * Revokes the certificate. A CA whose revocation list the service publishes lists it there
   * before answering; asking again for a certificate already revoked lists it no second time.
   */
  revoke(request: RevocationRequest): Promise<void>;
  /**
   * Signs and publishes a fresh revocation list (new thisUpdate, nextUpdate and CRL number), for
   * CAs whose list the service publishes (the embedded CA); an ACME CA publishes its own and
   * has no such method.
   */
  refreshRevocationList?(): Promise<PublishedRevocationList>;
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
