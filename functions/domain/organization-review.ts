import type { EvDetails, Organization, ReviewRecord } from "./order-record.ts";

/** Baseline Requirements 4.2.1: organization data may be reused for 398 days. */
export const ORGANIZATION_REUSE_DAYS = 398;

const DAY_MS = 86_400_000;

export function organizationReusableUntil(approvedAt: Date): Date {
  return new Date(approvedAt.getTime() + ORGANIZATION_REUSE_DAYS * DAY_MS);
}

/**
 * The organization's details as one canonical text (trimmed, case and spacing folded): two
 * orders naming the same organization the same way reuse one approval; any change is reviewed.
 */
export function organizationFingerprint(organization: Organization, ev?: EvDetails): string {
  const fold = (text: string | undefined) => (text ?? "").trim().replace(/\s+/g, " ").toLowerCase();
  return JSON.stringify([
    fold(organization.name),
    fold(organization.unit),
    fold(organization.locality),
    fold(organization.state),
    fold(organization.country),
    ...(ev === undefined
      ? []
      : [
          fold(ev.jurisdictionCountry),
          fold(ev.jurisdictionState),
          fold(ev.jurisdictionLocality),
          fold(ev.businessCategory),
          fold(ev.registrationNumber),
        ]),
  ]);
}

/** Whether the order must still wait for an operator's approval of its organization. */
export function reviewPending(review: ReviewRecord | undefined): boolean {
  return review !== undefined && review.status !== "approved";
}

export type ReviewTurn =
  | { readonly kind: "approved" }
  | {
      readonly kind: "failed";
      readonly error: "ReviewRejected" | "ReviewTimedOut";
      readonly cause: string;
    }
  | { readonly kind: "wait"; readonly waitSeconds: number };

/**
 * Where the review stands at `now`: approved, past its deadline (failed: rejected when the last
 * decision was a rejection, else timed out), or waiting until the deadline for a decision.
 */
export function reviewTurn(review: ReviewRecord, now: Date): ReviewTurn {
  if (review.status === "approved") return { kind: "approved" };
  const remainingSeconds = Math.ceil((Date.parse(review.deadline) - now.getTime()) / 1000);
  if (remainingSeconds > 0) return { kind: "wait", waitSeconds: remainingSeconds };
  return review.status === "rejected"
    ? {
        kind: "failed",
        error: "ReviewRejected",
        cause: `The organization review was rejected (${review.reason ?? "no reason given"}) and not resubmitted before ${review.deadline}.`,
      }
    : {
        kind: "failed",
        error: "ReviewTimedOut",
        cause:
          review.status === "awaiting-document"
            ? `No signed confirmation letter arrived before ${review.deadline}.`
            : `The organization review was not decided before ${review.deadline}.`,
      };
}

/** The customer-readable line for each review status. */
export function describeReview(review: ReviewRecord): string {
  switch (review.status) {
    case "awaiting-document":
      return "Waiting for the signed confirmation letter (POST /v1/orders/{id}/documents).";
    case "awaiting-decision":
      return "The letter arrived; waiting for an operator's decision.";
    case "approved":
      return review.reusedFrom === undefined
        ? "The organization was approved."
        : `The organization was approved earlier (order ${review.reusedFrom}) and is reused.`;
    case "rejected": {
      // The operator's reason, typed in a form, often ends without a full stop.
      const reason = (review.reason ?? "").trim();
      const sentence = reason === "" || /[.!?]$/.test(reason) ? reason : `${reason}.`;
      return `The organization review was rejected: ${sentence} Correct it and resubmit (POST /v1/orders/{id}/resubmission).`;
    }
    default: {
      const unknownStatus: never = review.status;
      throw new Error(`Unknown review status ${String(unknownStatus)}`);
    }
  }
}
