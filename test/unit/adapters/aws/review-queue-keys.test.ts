import { describe, expect, it } from "vitest";
import { reviewQueueKeys, toOrderItem } from "../../../../functions/adapters/aws/order-item.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import { ORDER_STATUSES } from "../../../../functions/domain/order-status.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";

const DEADLINE = "2027-01-17T08:00:00.000Z";
const SINCE = "2027-01-11T08:00:00.000Z";

const ovOrder = (status: OrderRecord["status"], review: ReviewRecord | undefined) =>
  sampleOrder({
    orderId: "ord_queue1",
    status,
    product: "OV",
    organization: { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
    review,
  });

const awaitingDecision: ReviewRecord = {
  status: "awaiting-decision",
  deadline: DEADLINE,
  awaitingSince: SINCE,
};

describe("reviewQueueKeys", () => {
  it.each(["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"] as const)(
    "queues an order in %s whose letter awaits a decision, by when it began to wait",
    (status) => {
      // Act
      const keys = reviewQueueKeys(ovOrder(status, awaitingDecision));

      // Assess
      expect(keys).toEqual({ GSI3PK: "REVIEWQUEUE", GSI3SK: `${SINCE}#ord_queue1` });
    },
  );

  it.each(
    ORDER_STATUSES.filter(
      (status) => !["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"].includes(status),
    ),
  )("leaves out an order in %s, whose review is over", (status) => {
    expect(reviewQueueKeys(ovOrder(status, awaitingDecision))).toBeUndefined();
  });

  it.each([
    ["no review (DV)", undefined],
    ["a review waiting for its letter", { status: "awaiting-document", deadline: DEADLINE }],
    ["an approved review", { ...awaitingDecision, status: "approved" }],
    ["a rejected review", { ...awaitingDecision, status: "rejected", reason: "Wrong name." }],
    [
      "a review awaiting a decision without awaitingSince",
      { status: "awaiting-decision", deadline: DEADLINE },
    ],
  ] as const)("leaves out an order with %s", (_case, review) => {
    expect(reviewQueueKeys(ovOrder("PENDING_REVIEW", review as ReviewRecord | undefined))).toBe(
      undefined,
    );
  });

  it("sorts by the time of waiting, then the order id", () => {
    // Act
    const keys = [
      reviewQueueKeys({ ...ovOrder("PENDING_REVIEW", awaitingDecision), orderId: "ord_b" }),
      reviewQueueKeys({ ...ovOrder("PENDING_REVIEW", awaitingDecision), orderId: "ord_a" }),
      reviewQueueKeys({
        ...ovOrder("PENDING_REVIEW", {
          ...awaitingDecision,
          awaitingSince: "2027-01-10T08:00:00.000Z",
        }),
        orderId: "ord_c",
      }),
    ].map((key) => key?.GSI3SK ?? "");

    // Assess
    expect(keys.toSorted()).toEqual([
      "2027-01-10T08:00:00.000Z#ord_c",
      `${SINCE}#ord_a`,
      `${SINCE}#ord_b`,
    ]);
  });

  it("puts the keys on the stored item only while the order is queued", () => {
    // Act
    const queued = toOrderItem(ovOrder("PENDING_REVIEW", awaitingDecision));
    const decided = toOrderItem(
      ovOrder("PENDING_REVIEW", { ...awaitingDecision, status: "approved" }),
    );

    // Assess
    expect(queued).toMatchObject({ GSI3PK: "REVIEWQUEUE", GSI3SK: `${SINCE}#ord_queue1` });
    expect(decided).not.toHaveProperty("GSI3PK");
    expect(decided).not.toHaveProperty("GSI3SK");
  });
});
