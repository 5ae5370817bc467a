import { describe, expect, it } from "vitest";
import {
  allowedTransitions,
  assertTransition,
  canTransition,
  describeStatus,
  FAILURE_CODES,
  IllegalTransitionError,
  ORDER_STATUSES,
  type OrderStatus,
  STATUS_KIND,
} from "../../../functions/domain/order-status.ts";

const ALLOWED: ReadonlyArray<readonly [OrderStatus, OrderStatus]> = [
  ["SUBMITTED", "PENDING_VALIDATION"],
  ["SUBMITTED", "FAILED"],
  ["SUBMITTED", "CANCELLED"],
  ["PENDING_VALIDATION", "PENDING_REVIEW"],
  ["PENDING_VALIDATION", "ISSUING"],
  ["PENDING_VALIDATION", "FAILED"],
  ["PENDING_VALIDATION", "CANCELLED"],
  ["PENDING_REVIEW", "ISSUING"],
  ["PENDING_REVIEW", "FAILED"],
  ["PENDING_REVIEW", "CANCELLED"],
  ["ISSUING", "ISSUED"],
  ["ISSUING", "FAILED"],
  ["ISSUED", "REVOKED"],
  ["ISSUED", "EXPIRED"],
  ["FAILED", "SUBMITTED"],
];

const isAllowed = (from: OrderStatus, to: OrderStatus) =>
  ALLOWED.some(([allowedFrom, allowedTo]) => allowedFrom === from && allowedTo === to);

const ALL_PAIRS = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));
const REFUSED = ALL_PAIRS.filter(([from, to]) => !isAllowed(from, to));

describe("order statuses", () => {
  it("lists the nine statuses in workflow order", () => {
    expect(ORDER_STATUSES.join(", ")).toBe(
      "SUBMITTED, PENDING_VALIDATION, PENDING_REVIEW, ISSUING, ISSUED, FAILED, CANCELLED, REVOKED, EXPIRED",
    );
  });

  it.each(ORDER_STATUSES)("classifies %s: transient while in progress, final after", (status) => {
    const inProgress = ["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW", "ISSUING"];
    expect(STATUS_KIND[status]).toBe(inProgress.includes(status) ? "transient" : "final");
  });

  it("classifies every status and nothing else", () => {
    expect(Object.keys(STATUS_KIND).sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it.each(ORDER_STATUSES)("describes %s in a distinct customer sentence", (status) => {
    const sentence = describeStatus(status);
    expect(sentence).toMatch(/^[A-Z].*\.$/);
    const others = ORDER_STATUSES.filter((other) => other !== status).map(describeStatus);
    expect(others).not.toContain(sentence);
  });

  it("refuses to describe a status outside the union", () => {
    expect(() => describeStatus("ARCHIVED" as OrderStatus)).toThrow(/ARCHIVED/);
  });

  it("names the failure codes", () => {
    expect(FAILURE_CODES.join(", ")).toBe(
      "VALIDATION_TIMED_OUT, VALIDATION_FAILED, REVIEW_REJECTED, CA_REJECTED, CA_UNAVAILABLE, INTERNAL",
    );
  });
});

describe("transitions", () => {
  it.each(ALLOWED)("allows %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it("refuses all other pairs (including staying put)", () => {
    expect(REFUSED).toHaveLength(ORDER_STATUSES.length ** 2 - ALLOWED.length);
    expect(REFUSED).toContainEqual(["ISSUED", "ISSUED"]);
  });

  it.each(REFUSED)("refuses %s → %s with an error naming both", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let caught: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const error = caught as IllegalTransitionError;
    expect(error.from).toBe(from);
    expect(error.to).toBe(to);
    expect(error.message).toContain(from);
    expect(error.message).toContain(to);
  });

  it.each(ORDER_STATUSES.filter((status) => STATUS_KIND[status] === "final"))(
    "lets the final status %s change only by revocation, expiry or resubmission",
    (status) => {
      const expected: Partial<Record<OrderStatus, OrderStatus[]>> = {
        ISSUED: ["REVOKED", "EXPIRED"],
        FAILED: ["SUBMITTED"],
      };
      expect(allowedTransitions(status)).toEqual(expected[status] ?? []);
    },
  );
});
