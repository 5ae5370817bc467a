import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import { OrderNotInStep } from "../../../../functions/workflow/workflow-errors.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { recordingEngine, taskWokenAlready } from "../../../support/email-approvals.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_review1";
const NOW = new Date("2027-01-10T08:00:00.000Z");
const DAY = 86_400;
/** The review's deadline, three days after NOW. */
const DEADLINE = "2027-01-13T08:00:00.000Z";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };

const review = (overrides: Partial<ReviewRecord> = {}): ReviewRecord => ({
  status: "awaiting-document",
  deadline: DEADLINE,
  ...overrides,
});

/** The step's world for an OV order whose names are all valid, at NOW. */
async function orderInReview(
  overrides: Partial<OrderRecord> = {},
  answer: () => void = () => undefined,
) {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      status: "PENDING_VALIDATION",
      product: "OV",
      organization,
      review: review(),
      caOrderRef: "eca_1",
      ...overrides,
    }),
    sampleEvent(NOW, "Order received."),
  );
  const engine = recordingEngine(answer);
  const deps = {
    clock,
    store,
    workflow: engine.workflow,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  const turn = (taskToken: string, waitSeconds: number) =>
    runDeclaredStep(deps, "WaitForReview", {
      orderId: ORDER_ID,
      taskToken,
      turn: { waitSeconds },
    });
  const history = async () => (await store.history(ORDER_ID)).slice(1);
  return { clock, store, engine, turn, history };
}

describe("WaitForReview", () => {
  it("on its first turn shows PENDING_REVIEW with why, keeps its token in the same write, and parks until the deadline", async () => {
    // Prepare
    const world = await orderInReview();

    // Act
    await world.turn("token-1", 3 * DAY);

    // Assess
    const order = await world.store.get(ORDER_ID);
    expect(order).toMatchObject({ status: "PENDING_REVIEW", waitToken: "token-1", version: 1 });
    expect(await world.history()).toEqual([
      {
        at: NOW.toISOString(),
        type: "status",
        status: "PENDING_REVIEW",
        message: `Every name is validated. Waiting for the signed confirmation letter (POST /v1/orders/${ORDER_ID}/documents).`,
      },
    ]);
    expect(world.engine.calls).toEqual([]);
  });

  it("names the rejection's reason and the resubmission when the review was rejected before every name was validated", async () => {
    // Prepare
    const world = await orderInReview({
      review: review({ status: "rejected", reason: "The register names Example AG." }),
    });

    // Act
    await world.turn("token-2", 3 * DAY);

    // Assess
    expect((await world.history()).map((event) => event.message)).toEqual([
      `Every name is validated. The organization review was rejected: The register names Example AG. Correct it and resubmit (POST /v1/orders/${ORDER_ID}/resubmission).`,
    ]);
  });

  it("on a later turn keeps the new token only, with no second status event", async () => {
    // Prepare
    const world = await orderInReview();
    await world.turn("token-3", 3 * DAY);
    world.clock.advance(DAY);

    // Act
    await world.turn("token-4", 2 * DAY);

    // Assess
    const order = await world.store.get(ORDER_ID);
    expect(order).toMatchObject({ status: "PENDING_REVIEW", waitToken: "token-4" });
    expect(await world.history()).toHaveLength(1);
    expect(world.engine.calls).toEqual([]);
  });

  it.each([
    ["a little shorter", 3 * DAY - 2000],
    ["a little longer", 3 * DAY + 2000],
  ])(
    "parks without an answer when the turn's wait is %s than the time to the deadline (within 1 %%)",
    async (_case, waitSeconds) => {
      // Prepare
      const world = await orderInReview({ status: "PENDING_REVIEW" });

      // Act
      await world.turn("token-5", waitSeconds);

      // Assess
      expect(world.engine.calls).toEqual([]);
      expect((await world.store.get(ORDER_ID))?.waitToken).toBe("token-5");
    },
  );

  it("turns a wait that differs by more than 1 % into one turn up to the deadline, rounded up", async () => {
    // Prepare
    const world = await orderInReview({ status: "PENDING_REVIEW" });
    world.clock.set(new Date(Date.parse(DEADLINE) - 3600_500));

    // Act
    await world.turn("token-6", 900);

    // Assess
    expect(world.engine.calls).toEqual([
      {
        kind: "success",
        token: "token-6",
        output: { done: false, waitSeconds: 3601, checkedAt: world.clock.now().toISOString() },
      },
    ]);
  });

  it.each([
    ["PENDING_VALIDATION", "Every name is validated. The organization was approved."],
    ["PENDING_REVIEW", undefined],
  ] as const)(
    "in %s ends the wait by waking its own token once the review is approved",
    async (status, event) => {
      // Prepare: approved while no task was waiting to be woken.
      const world = await orderInReview({
        status,
        review: review({ status: "approved", decidedAt: NOW.toISOString() }),
      });

      // Act
      await world.turn("token-7", 3 * DAY);

      // Assess
      expect(world.engine.calls).toEqual([
        { kind: "success", token: "token-7", output: { done: true, waitSeconds: 3 * DAY } },
      ]);
      expect((await world.store.get(ORDER_ID))?.status).toBe("PENDING_REVIEW");
      expect((await world.history()).map((e) => e.message)).toEqual(
        event === undefined ? [] : [event],
      );
    },
  );

  it("says which earlier order's approval is reused", async () => {
    // Prepare
    const world = await orderInReview({
      review: review({ status: "approved", reusedFrom: "ord_first1" }),
    });

    // Act
    await world.turn("token-8", 3 * DAY);

    // Assess
    expect((await world.history()).map((e) => e.message)).toEqual([
      "Every name is validated. The organization was approved earlier (order ord_first1) and is reused.",
    ]);
  });

  it.each([
    [
      "rejected and not resubmitted",
      review({ status: "rejected", reason: "Wrong name." }),
      "ReviewRejected",
      `The organization review was rejected (Wrong name.) and not resubmitted before ${DEADLINE}.`,
    ],
    [
      "still without its letter",
      review({ status: "awaiting-document" }),
      "ReviewTimedOut",
      `No signed confirmation letter arrived before ${DEADLINE}.`,
    ],
    [
      "undecided",
      review({ status: "awaiting-decision", awaitingSince: NOW.toISOString() }),
      "ReviewTimedOut",
      `The organization review was not decided before ${DEADLINE}.`,
    ],
  ])(
    "at the deadline fails its token when the review is %s, and notes why in the history",
    async (_case, record, error, cause) => {
      // Prepare
      const world = await orderInReview({ status: "PENDING_REVIEW", review: record });
      world.clock.set(new Date(DEADLINE));

      // Act
      await world.turn("token-9", 3 * DAY);

      // Assess
      expect(world.engine.calls).toEqual([{ kind: "failure", token: "token-9", error, cause }]);
      expect(await world.history()).toEqual([{ at: DEADLINE, type: "review", message: cause }]);
      expect((await world.store.get(ORDER_ID))?.status).toBe("PENDING_REVIEW");
    },
  );

  it("fails on its first turn when the deadline passed while the names were validated", async () => {
    // Prepare
    const world = await orderInReview();
    world.clock.set(new Date(Date.parse(DEADLINE) + 60_000));

    // Act
    await world.turn("token-10", 1);

    // Assess
    expect(world.engine.calls).toEqual([
      {
        kind: "failure",
        token: "token-10",
        error: "ReviewTimedOut",
        cause: `No signed confirmation letter arrived before ${DEADLINE}.`,
      },
    ]);
    expect((await world.history()).map((event) => event.type)).toEqual(["status", "review"]);
  });

  it("leaves a token an operator's decision answered first alone", async () => {
    // Prepare
    const world = await orderInReview(
      { status: "PENDING_REVIEW", review: review({ status: "approved" }) },
      taskWokenAlready,
    );

    // Act
    const result = await world.turn("token-11", 3 * DAY);

    // Assess
    expect(result).toEqual({});
    expect(world.engine.calls).toEqual([]);
  });

  it.each(["SUBMITTED", "ISSUING", "FAILED", "CANCELLED"] as const)(
    "refuses an order in %s and changes nothing",
    async (status) => {
      // Prepare
      const world = await orderInReview({ status });
      const before = await world.store.get(ORDER_ID);

      // Act
      const turn = world.turn("token-12", 3 * DAY);

      // Assess
      await expect(turn).rejects.toThrow(OrderNotInStep);
      await expect(turn).rejects.toThrow(`Order ${ORDER_ID} is ${status}, not PENDING_REVIEW.`);
      expect(await world.store.get(ORDER_ID)).toEqual(before);
      expect(await world.history()).toEqual([]);
      expect(world.engine.calls).toEqual([]);
    },
  );

  it("refuses an order cancelled just after the turn read it, without keeping its token", async () => {
    // Prepare: the customer cancels between the step's first read and its write.
    const world = await orderInReview({ status: "PENDING_REVIEW" });
    const get = world.store.get.bind(world.store);
    let reads = 0;
    world.store.get = async (orderId) => {
      const order = await get(orderId);
      reads += 1;
      if (reads === 1 && order !== undefined) {
        await world.store.update(order, { status: "CANCELLED" }, sampleEvent(NOW, "Cancelled."));
      }
      return order;
    };

    // Act
    const turn = world.turn("token-14", 3 * DAY);

    // Assess
    await expect(turn).rejects.toThrow(`Order ${ORDER_ID} is CANCELLED, not PENDING_REVIEW.`);
    expect((await get(ORDER_ID))?.waitToken).toBeUndefined();
    expect(world.engine.calls).toEqual([]);
  });

  it("refuses an order without organization review and changes nothing", async () => {
    // Prepare
    const world = await orderInReview({
      product: "DV",
      organization: undefined,
      review: undefined,
    });
    const before = await world.store.get(ORDER_ID);

    // Act
    const turn = world.turn("token-13", 3 * DAY);

    // Assess
    await expect(turn).rejects.toThrow(`Order ${ORDER_ID} has no organization review.`);
    expect(await world.store.get(ORDER_ID)).toEqual(before);
    expect(world.engine.calls).toEqual([]);
  });
});
