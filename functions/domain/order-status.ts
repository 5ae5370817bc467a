export const ORDER_STATUSES = [
  "SUBMITTED",
  "PENDING_VALIDATION",
  "PENDING_REVIEW",
  "ISSUING",
  "ISSUED",
  "FAILED",
  "CANCELLED",
  "REVOKED",
  "EXPIRED",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type StatusKind = "transient" | "final";

/** Transient statuses always have a running execution; final ones never change by themselves. */
export const STATUS_KIND: Record<OrderStatus, StatusKind> = {
  SUBMITTED: "transient",
  PENDING_VALIDATION: "transient",
  PENDING_REVIEW: "transient",
  ISSUING: "transient",
  ISSUED: "final",
  FAILED: "final",
  CANCELLED: "final",
  REVOKED: "final",
  EXPIRED: "final",
};

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  SUBMITTED: ["PENDING_VALIDATION", "FAILED", "CANCELLED"],
  PENDING_VALIDATION: ["PENDING_REVIEW", "ISSUING", "FAILED", "CANCELLED"],
  PENDING_REVIEW: ["ISSUING", "FAILED", "CANCELLED"],
  ISSUING: ["ISSUED", "FAILED"],
  ISSUED: ["REVOKED", "EXPIRED"],
  FAILED: ["SUBMITTED"],
  CANCELLED: [],
  REVOKED: [],
  EXPIRED: [],
};

export const FAILURE_CODES = [
  "VALIDATION_TIMED_OUT",
  "VALIDATION_FAILED",
  "REVIEW_REJECTED",
  /** No operator decided the organization review before its deadline. */
  "REVIEW_TIMED_OUT",
  "CA_REJECTED",
  "CA_UNAVAILABLE",
  /** A CAA record of a name forbids the CA: the customer changes CAA and orders again. */
  "CAA_FORBIDS",
  "INTERNAL",
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  readonly from: OrderStatus;
  readonly to: OrderStatus;

  constructor(from: OrderStatus, to: OrderStatus) {
    super(`An order cannot go from ${from} to ${to}.`);
    this.from = from;
    this.to = to;
  }
}

export function allowedTransitions(from: OrderStatus): readonly OrderStatus[] {
  return TRANSITIONS[from];
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** One sentence per status, as customers read it in mails and the API. */
export function describeStatus(status: OrderStatus): string {
  switch (status) {
    case "SUBMITTED":
      return "The order was received and is being prepared.";
    case "PENDING_VALIDATION":
      return "Waiting for the records or files that prove control of the names.";
    case "PENDING_REVIEW":
      return "Waiting for the organization review.";
    case "ISSUING":
      return "The CA is issuing the certificate.";
    case "ISSUED":
      return "The certificate is issued and can be downloaded.";
    case "FAILED":
      return "The order failed; its failure says why.";
    case "CANCELLED":
      return "The order was cancelled.";
    case "REVOKED":
      return "The certificate was revoked.";
    case "EXPIRED":
      return "The certificate has expired.";
    default: {
      const unknownStatus: never = status;
      throw new Error(`Unknown status ${String(unknownStatus)}`);
    }
  }
}
