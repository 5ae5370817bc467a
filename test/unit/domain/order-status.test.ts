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

const TRANSIENT = ORDER_STATUSES.filter((status) => STATUS_KIND[status] === "transient");
const FINAL = ORDER_STATUSES.filter((status) => STATUS_KIND[status] === "final");
const ALL_PAIRS = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));
const ALLOWED = ALL_PAIRS.filter(([from, to]) => allowedTransitions(from).includes(to));
const REFUSED = ALL_PAIRS.filter(([from, to]) => !allowedTransitions(from).includes(to));

/** Every status reachable from `start` by allowed transitions, `start` included. */
function reachableFrom(start: OrderStatus): Set<OrderStatus> {
  const reached = new Set<OrderStatus>([start]);
  for (const status of reached) {
    for (const next of allowedTransitions(status)) reached.add(next);
  }
  return reached;
}

describe("order statuses", () => {
  it("marks every status, and nothing else, as either transient or final", () => {
    expect(Object.keys(STATUS_KIND).sort()).toEqual([...ORDER_STATUSES].sort());
    expect(new Set(Object.values(STATUS_KIND))).toEqual(new Set(["transient", "final"]));
  });

  it("lists the statuses in workflow order: SUBMITTED first, every transient before any final", () => {
    const lastTransient = ORDER_STATUSES.findLastIndex((status) => TRANSIENT.includes(status));
    const firstFinal = ORDER_STATUSES.findIndex((status) => FINAL.includes(status));

    expect(ORDER_STATUSES[0]).toBe("SUBMITTED");
    expect(lastTransient).toBeLessThan(firstFinal);
  });

  it("lists each status and each failure code once, in upper snake case", () => {
    for (const names of [ORDER_STATUSES, FAILURE_CODES]) {
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
    }
  });

  it.each(ORDER_STATUSES)("describes %s in a distinct customer sentence", (status) => {
    const sentence = describeStatus(status);

    const others = ORDER_STATUSES.filter((other) => other !== status).map(describeStatus);

    expect(sentence).toMatch(/^[A-Z].*\.$/);
    expect(others).not.toContain(sentence);
  });

  it("refuses to describe a status outside the union", () => {
    expect(() => describeStatus("ARCHIVED" as OrderStatus)).toThrow(/ARCHIVED/);
  });
});

describe("transitions", () => {
  it("reach every status from SUBMITTED, and none from a status to itself", () => {
    expect([...reachableFrom("SUBMITTED")].sort()).toEqual([...ORDER_STATUSES].sort());
    expect(ORDER_STATUSES.filter((status) => canTransition(status, status))).toEqual([]);
  });

  it.each(TRANSIENT)("lead from the transient %s both to ISSUED and to FAILED", (status) => {
    const reachable = reachableFrom(status);

    expect(reachable).toContain("ISSUED");
    expect(allowedTransitions(status)).toContain("FAILED");
  });

  it("leave only final statuses without a way out", () => {
    const deadEnds = ORDER_STATUSES.filter((status) => allowedTransitions(status).length === 0);

    expect(deadEnds.length).toBeGreaterThan(0);
    for (const status of deadEnds) expect(STATUS_KIND[status]).toBe("final");
  });

  it.each(FINAL)("lead from the final %s only to final statuses or to a resubmission", (status) => {
    for (const next of allowedTransitions(status)) {
      expect(STATUS_KIND[next] === "final" || next === "SUBMITTED").toBe(true);
    }
  });

  it("let a final status change only by revocation, expiry or resubmission", () => {
    const targets = new Set(FINAL.flatMap((status) => allowedTransitions(status)));

    expect([...targets].sort()).toEqual(["EXPIRED", "REVOKED", "SUBMITTED"]);
  });

  it("allow cancelling an order only while it waits, not once the CA issues", () => {
    const cancellable = ORDER_STATUSES.filter((status) => canTransition(status, "CANCELLED"));

    expect(cancellable.length).toBeGreaterThan(0);
    for (const status of cancellable) expect(STATUS_KIND[status]).toBe("transient");
    expect(cancellable).not.toContain("ISSUING");
  });

  it.each(ALLOWED)("allow %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(REFUSED)("refuse %s → %s with an error naming both", (from, to) => {
    const error = (() => {
      try {
        assertTransition(from, to);
      } catch (caught) {
        return caught;
      }
    })();

    expect(canTransition(from, to)).toBe(false);
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ from, to, message: expect.stringContaining(from) });
    expect((error as Error).message).toContain(to);
  });
});
