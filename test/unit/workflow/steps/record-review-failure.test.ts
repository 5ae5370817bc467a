import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_reviewfailed1";
const NOW = new Date("2027-01-17T08:00:00.000Z");
const DEADLINE = NOW.toISOString();

/** Records the failure `error` (with `cause`) of an OV order waiting in PENDING_REVIEW. */
async function recordFailure(error: string, cause: string | undefined) {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      status: "PENDING_REVIEW",
      product: "OV",
      organization: { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
      review: { status: "rejected", reason: "Wrong name.", deadline: DEADLINE },
      waitToken: "token-1",
    }),
    sampleEvent("2027-01-10T08:00:00.000Z", "Order received."),
  );
  const deps = { clock, store, logError: () => undefined } as unknown as StepDependencies;
  const result = await runDeclaredStep(deps, "RecordFailure", {
    orderId: ORDER_ID,
    error: cause === undefined ? { Error: error } : { Error: error, Cause: cause },
  });
  return {
    result,
    order: await store.get(ORDER_ID),
    last: (await store.history(ORDER_ID)).at(-1),
  };
}

describe("RecordFailure of an organization review", () => {
  it.each([
    [
      "ReviewRejected",
      "REVIEW_REJECTED",
      `The organization review was rejected (Wrong name.) and not resubmitted before ${DEADLINE}.`,
    ],
    [
      "ReviewTimedOut",
      "REVIEW_TIMED_OUT",
      `No signed confirmation letter arrived before ${DEADLINE}.`,
    ],
  ])("records %s as %s with the cause the wait named", async (error, code, cause) => {
    // Act
    const { result, order, last } = await recordFailure(error, cause);

    // Assess
    expect(result).toEqual({ code });
    expect(order).toMatchObject({ status: "FAILED", failure: { code, message: cause } });
    expect(order?.waitToken).toBeUndefined();
    expect(last).toEqual({
      at: NOW.toISOString(),
      type: "status",
      status: "FAILED",
      message: `${code}: ${cause}`,
    });
  });

  it.each([
    ["ReviewRejected", "REVIEW_REJECTED", "The organization review was rejected."],
    [
      "ReviewTimedOut",
      "REVIEW_TIMED_OUT",
      "The organization review was not completed before its deadline.",
    ],
  ])("records %s without a cause as %s with a message of its own", async (error, code, message) => {
    // Act
    const { order } = await recordFailure(error, undefined);

    // Assess
    expect(order?.failure).toEqual({ code, message });
  });
});
