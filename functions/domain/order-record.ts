import type { CaaIdentity } from "./caa-policy.ts";
import type { ValidationMethod } from "./dcv-methods.ts";
import type { InstallationRecord } from "./installation-check.ts";
import type { KeyType } from "./key-types.ts";
import type { Product } from "./order-request.ts";
import type { FailureCode, OrderStatus } from "./order-status.ts";
import type { ServerCheck } from "./propagation.ts";

/**
 * The order as stored: one item per order, changed only through versioned conditional writes.
 * This file holds the shape of the record so storage, use cases and views agree on it.
 */
export type OrderStatusName = OrderStatus;

export type ProductName = Product;

export type ValidationMethodName = ValidationMethod;

export type FailureCodeName = FailureCode;

export interface OrderName {
  readonly ascii: string;
  readonly display: string;
  readonly wildcard: boolean;
}

/** What the customer is told to publish; the fields are the API's instruction shapes. */
export type Instructions =
  | { readonly method: "http-file"; readonly url: string; readonly content: string }
  | {
      readonly method: "dns-txt" | "dns-cname";
      readonly recordType: "TXT" | "CNAME";
      readonly host: string;
      readonly value: string;
    }
  | { readonly method: "email"; readonly approver: string };

export interface LastCheck {
  readonly at: string;
  readonly ok: boolean;
  readonly cause?: string;
  readonly detail?: string;
  /** DNS methods: what each of the zone's authoritative servers answered (absent before). */
  readonly servers?: readonly ServerCheck[];
}

/** Whether CAA lets the order's CA issue for a name: CAA_FORBIDS, or no verdict (DNS_SERVFAIL, …). */
export interface CaaCheckResult {
  readonly ok: boolean;
  readonly cause?: string;
  readonly detail?: string;
}

export interface ValidationRecord {
  readonly domain: string;
  readonly method: ValidationMethodName;
  readonly status: "pending" | "published" | "valid" | "invalid";
  readonly instructions: Instructions;
  readonly lastCheck?: LastCheck;
  /** The name's CAA at the last check (absent for orders placed without a CAA check). */
  readonly caa?: CaaCheckResult;
}

export interface CertificateSummary {
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
  readonly renewAt: string;
  /** The CA's renewal window for it (ACME Renewal Information, RFC 9773), when the CA has one. */
  readonly renewalWindow?: RenewalWindowRecord;
}

/**
 * What the CA last suggested for renewing a certificate (RFC 9773). `start`/`end` are absent
 * until the first answer; `nextFetchAt` is when to ask again (the CA's Retry-After).
 */
export interface RenewalWindowRecord {
  /** The ARI CertID: base64url(authority key identifier) "." base64url(serial number). */
  readonly certId: string;
  readonly start?: string;
  readonly end?: string;
  /** The CA's page explaining the window (a mass revocation, say), shown on the order. */
  readonly explanationUrl?: string;
  readonly nextFetchAt: string;
}

/** One certificate of an order's lineage: the first issuance, then each renewal. */
export interface LineageCertificate {
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly sha256Fingerprint: string;
  /** The order that holds it in the vault: the order itself, or the renewal that issued it. */
  readonly heldBy: string;
  /** The serial of the certificate it replaced. */
  readonly replaces?: string;
  /** An earlier certificate revoked on its own (a superseded one), while the order went on. */
  readonly revokedAt?: string;
  readonly revocationReason?: string;
}

/** Renewal state of an issued order (its renewals run as orders of their own, `renewalOf` it). */
export interface RenewalState {
  /** The renewal running now, started by the renewal run or by hand. */
  readonly inFlight?: {
    readonly orderId: string;
    readonly startedAt: string;
    readonly trigger: "scheduled" | "manual";
    readonly rekey: boolean;
  };
  /** Renewals started so far for the current certificate; part of the next one's id. */
  readonly attempts?: number;
  readonly lastFailure?: { readonly at: string; readonly code: string; readonly message: string };
  /** Expiry notices (days before notAfter: 30, 7, 1) mailed for the current certificate. */
  readonly expiryNotices?: readonly number[];
  /** A run is mailing the notice for this mark (claimed at `at`); cleared once it is recorded. */
  readonly expiryNoticeClaim?: { readonly days: number; readonly at: string };
}

export interface OrderFailure {
  readonly code: FailureCodeName;
  readonly message: string;
}

export interface Organization {
  readonly name: string;
  readonly unit?: string;
  readonly locality: string;
  readonly state: string;
  readonly country: string;
}

/** Extended Validation: where the organization is registered and as what (EV Guidelines 9.2). */
export interface EvDetails {
  readonly jurisdictionCountry: string;
  readonly jurisdictionState?: string;
  readonly jurisdictionLocality?: string;
  readonly businessCategory: string;
  readonly registrationNumber: string;
}

/** EV Guidelines 7.1.4.2.3: an EV certificate's businessCategory is exactly one of these. */
export const BUSINESS_CATEGORIES = [
  "Private Organization",
  "Government Entity",
  "Business Entity",
  "Non-Commercial Entity",
] as const;

/**
 * The organization review of an OV/EV order: waiting for the signed letter, then for an
 * operator's decision. A rejection is not final: the customer resubmits.
 */
export const REVIEW_STATUSES = [
  "awaiting-document",
  "awaiting-decision",
  "approved",
  "rejected",
] as const;

export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export interface ReviewRecord {
  readonly status: ReviewStatus;
  /** The operator's reason for a rejection, or why an approval was reused. */
  readonly reason?: string;
  /** When the review must be decided by; past it the order fails. */
  readonly deadline: string;
  /** When the order last entered awaiting-decision: the review queue is oldest first. */
  readonly awaitingSince?: string;
  readonly decidedAt?: string;
  /** The earlier order whose approved organization this one reuses (398 days). */
  readonly reusedFrom?: string;
}

/** A document the customer uploaded for the review (the signed confirmation letter). */
export interface OrderDocument {
  readonly id: string;
  readonly contentType: "image/png" | "image/jpeg";
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly uploadedAt: string;
}

export interface Contact {
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
}

export type KeySource =
  | { readonly kind: "generated"; readonly keyType: KeyType }
  | { readonly kind: "uploaded-csr" };

export interface OrderRecord {
  readonly orderId: string;
  readonly tenantId: string;
  readonly status: OrderStatusName;
  /** Incremented by every write; writes are conditional on the version read. */
  readonly version: number;
  readonly product: ProductName;
  readonly names: readonly OrderName[];
  readonly method: ValidationMethodName;
  readonly approverEmail?: string;
  /** Email validation: who approves each name, by ASCII name. */
  readonly approvers?: Readonly<Record<string, string>>;
  readonly keySource: KeySource;
  readonly contact: Contact;
  readonly organization?: Organization;
  /** EV orders: the registration details the certificate's subject carries. */
  readonly ev?: EvDetails;
  /** OV/EV orders: the organization review. */
  readonly review?: ReviewRecord;
  readonly documents?: readonly OrderDocument[];
  readonly validityDays: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly validations: readonly ValidationRecord[];
  readonly validationDeadline?: string;
  /** When the CA must have decided or issued by, once it was asked to validate. */
  readonly caDeadline?: string;
  /** The CA's handle for this order (an ACME order URL, or the embedded CA's order id). */
  readonly caOrderRef?: string;
  /** Who the CA is in CAA records, recorded when the order was placed: checks judge CAA by it. */
  readonly caaIdentity?: CaaIdentity;
  readonly certificate?: CertificateSummary;
  readonly failure?: OrderFailure;
  readonly executionName?: string;
  /**
   * Email validation: the link mailed to each approver, by the hash of its secret (the secret
   * itself is only in the mail). A resent or switched link replaces the approver's entry.
   */
  readonly approvalLinks?: readonly ApprovalLinkRef[];
  /** Token of the wait the execution is parked in, so an early check can wake it. */
  readonly waitToken?: string;
  readonly warnings: readonly { readonly code: string; readonly message: string }[];
  /** A renewal: the order whose certificate this one renews (it shows as that order's renewal). */
  readonly renewalOf?: string;
  /** A renewal made with a new key instead of the renewed order's key and CSR. */
  readonly rekey?: boolean;
  /** A renewal: the ARI CertID of the certificate it replaces (sent to the CA as `replaces`). */
  readonly replaces?: string;
  /** Renew automatically when due (default true). */
  readonly autoRenew?: boolean;
  /** A plan of this many months: certificates are reissued until `planEndsAt`, then no more. */
  readonly planMonths?: number;
  readonly planEndsAt?: string;
  /** The CA profile (ACME `profile`) the order's certificates are issued under. */
  readonly profile?: string;
  /** Reminders mailed while waiting for validation, as percent of the validation time (50, 90). */
  readonly validationReminders?: readonly number[];
  /**
   * After a renewal, when to look again whether the servers moved to the new certificate (the
   * first check found the old one still served); cleared by that look.
   */
  readonly installationRecheckAt?: string;
  /** Every certificate of the order, current first (absent before the first renewal). */
  readonly certificates?: readonly LineageCertificate[];
  readonly renewal?: RenewalState;
  /** The customer asked for an installation check right after issuance. */
  readonly installationCheck?: boolean;
  /** The last installation check: what each name's server serves. */
  readonly installation?: InstallationRecord;
}

export interface ApprovalLinkRef {
  readonly approver: string;
  readonly linkHash: string;
  readonly sentAt: string;
}

/** One line of an order's history, shown to the customer and kept next to the order. */
export interface OrderEvent {
  readonly at: string;
  readonly type: string;
  readonly message: string;
  readonly status?: OrderStatusName;
  /** Who did it, when a person acted through the API (an operator's cancel or revoke, say). */
  readonly by?: { readonly role: "customer" | "operator"; readonly tenantId: string };
}
