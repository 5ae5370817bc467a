import { beforeEach, describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import {
  initialReview,
  organizationKey,
} from "../../../../functions/orders/organization-approvals.ts";
import {
  type EngineCall,
  recordingEngine,
  taskWokenAlready,
} from "../../../support/email-approvals.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER_ID = "ord_review1";
const REVIEW = `/v1/orders/${ORDER_ID}/review`;
const NOW = "2027-01-12T08:00:00.000Z";
const DEADLINE = "2027-01-17T08:00:00.000Z";
const WAITING_SINCE = "2027-01-11T08:00:00.000Z";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const OPERATOR: RouteCall = { tenant: "ops", role: "operator" };

let clock: ReturnType<typeof fixedClock>;
let deps: AllDependencies;
let engineCalls: EngineCall[];
let engineAnswer: () => void;

const awaitingDecision: ReviewRecord = {
  status: "awaiting-decision",
  deadline: DEADLINE,
  awaitingSince: WAITING_SINCE,
};

/** tenant-a's OV order waiting in PENDING_REVIEW for the decision on its letter, unless overridden. */
async function seed(overrides: Partial<OrderRecord> = {}): Promise<void> {
  const order = sampleOrder({
    orderId: ORDER_ID,
    status: "PENDING_REVIEW",
    product: "OV",
    organization,
    contact: { name: "Ada", email: "ada@example.com", phone: "+49 30 1234567" },
    review: awaitingDecision,
    documents: [
      {
        id: "doc_0123456789abcdef",
        contentType: "image/png",
        size: 1000,
        width: 1240,
        height: 1754,
        uploadedAt: WAITING_SINCE,
      },
    ],
    waitToken: "review-token",
    ...overrides,
  });
  await deps.store.create(order, { at: order.createdAt, type: "note", message: "seeded" });
}

/** An empty store, mailer and engine at NOW. */
function newWorld(): void {
  clock = fixedClock(new Date(NOW));
  engineAnswer = () => undefined;
  const engine = recordingEngine(() => engineAnswer());
  engineCalls = engine.calls;
  deps = routeTestDependencies(clock, { workflow: engine.workflow });
}

beforeEach(newWorld);

const mails = () => (deps.mailer as MemoryMailer).sent;

function decide(body: unknown, call: RouteCall = OPERATOR) {
  return callRoute(deps, "POST", REVIEW, { body, ...call });
}

/** What a refusal must leave as it was: the order, its history, the mails and the engine. */
async function snapshot() {
  return {
    order: await deps.store.get(ORDER_ID),
    history: await deps.store.history(ORDER_ID),
    mails: [...mails()],
    engine: [...engineCalls],
  };
}

/** The review a later order of `tenantId` for the same organization would start with. */
async function laterOrderReview(tenantId = "tenant-a") {
  return initialReview(deps.store, { tenantId, organization }, new Date(DEADLINE), clock.now());
}

describe("POST /v1/orders/{id}/review", () => {
  it("approves, wakes the order waiting in PENDING_REVIEW on its token, and says who approved", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await decide({ decision: "approve" });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      id: ORDER_ID,
      status: "PENDING_REVIEW",
      review: { status: "approved", deadline: DEADLINE, decidedAt: NOW },
    });
    expect((await deps.store.get(ORDER_ID))?.review).toEqual({
      status: "approved",
      deadline: DEADLINE,
      decidedAt: NOW,
    });
    expect((await deps.store.history(ORDER_ID)).at(-1)).toEqual({
      at: NOW,
      type: "review",
      message: "The organization review was approved.",
      by: { role: "operator", tenantId: "ops" },
    });
    expect(engineCalls).toEqual([
      {
        kind: "success",
        token: "review-token",
        output: { done: true, reason: "organization approved" },
      },
    ]);
    expect(mails()).toEqual([]);
  });

  it("remembers the approved organization for the order's tenant, for 398 days", async () => {
    // Prepare
    await seed();

    // Act
    await decide({ decision: "approve" });

    // Assess
    expect(
      await deps.store.approvedOrganization("tenant-a", organizationKey(organization), NOW),
    ).toEqual({
      orderId: ORDER_ID,
      approvedAt: NOW,
      reusableUntil: "2028-02-14T08:00:00.000Z",
    });
    expect(await laterOrderReview()).toMatchObject({ status: "approved", reusedFrom: ORDER_ID });
    expect((await laterOrderReview("ops")).status).toBe("awaiting-document");
    expect((await laterOrderReview("tenant-b")).status).toBe("awaiting-document");
  });

  it("keeps an approval's reason, cleaned of control characters, in the review and the history", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await decide({
      decision: "approve",
      reason: "  Register\u0000checked\r\nby phone ",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect((await deps.store.get(ORDER_ID))?.review?.reason).toBe("Register checked by phone");
    expect((await deps.store.history(ORDER_ID)).at(-1)?.message).toBe(
      "The organization review was approved: Register checked by phone.",
    );
  });

  it.each([
    ["SUBMITTED", undefined],
    ["PENDING_VALIDATION", "customer-publish-token"],
  ] as const)(
    "approves an order in %s without waking any task (the CA decision reads the approval)",
    async (status, waitToken) => {
      // Prepare
      await seed({
        status,
        ...(waitToken === undefined ? { waitToken: undefined } : { waitToken }),
      });

      // Act
      const answer = await decide({ decision: "approve" });

      // Assess
      expect(answer.status).toBe(200);
      expect((await deps.store.get(ORDER_ID))?.review?.status).toBe("approved");
      expect(engineCalls).toEqual([]);
      expect(await laterOrderReview()).toMatchObject({ reusedFrom: ORDER_ID });
    },
  );

  it("approves when the waiting task was woken already", async () => {
    // Prepare
    await seed();
    engineAnswer = taskWokenAlready;

    // Act
    const answer = await decide({ decision: "approve" });

    // Assess
    expect(answer.status).toBe(200);
    expect((await deps.store.get(ORDER_ID))?.review?.status).toBe("approved");
  });

  it("rejects with the reason, mails it to the customer, and keeps the order waiting", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await decide({
      decision: "reject",
      reason: "The register names Example AG.",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      status: "PENDING_REVIEW",
      review: { status: "rejected", reason: "The register names Example AG.", decidedAt: NOW },
    });
    const order = await deps.store.get(ORDER_ID);
    expect(order).toMatchObject({
      status: "PENDING_REVIEW",
      waitToken: "review-token",
      review: {
        status: "rejected",
        reason: "The register names Example AG.",
        deadline: DEADLINE,
        decidedAt: NOW,
      },
    });
    expect(engineCalls).toEqual([]);
    expect((await deps.store.history(ORDER_ID)).at(-1)).toEqual({
      at: NOW,
      type: "review",
      message: "The organization review was rejected: The register names Example AG.",
      by: { role: "operator", tenantId: "ops" },
    });
    expect(mails()).toHaveLength(1);
    expect(mails()[0]?.to).toEqual(["ada@example.com"]);
    expect(mails()[0]?.subject).toBe("Organization review: changes needed for shop.example.com");
    expect(mails()[0]?.text).toContain("Reason: The register names Example AG.");
    expect(mails()[0]?.text).toContain(
      `POST http://127.0.0.1:3000/v1/orders/${ORDER_ID}/resubmission`,
    );
    expect(mails()[0]?.text).toContain(`The review must be completed by ${DEADLINE}.`);
    expect(
      await deps.store.approvedOrganization("tenant-a", organizationKey(organization), NOW),
    ).toBeUndefined();
  });

  it.each([
    ["no reason", { decision: "reject" }],
    ["an empty reason", { decision: "reject", reason: "" }],
    ["a reason of spaces and control characters", { decision: "reject", reason: " \u0000\n\t " }],
  ])("refuses a rejection with %s (422 REASON_REQUIRED), changing nothing", async (_case, body) => {
    // Prepare
    await seed();
    const before = await snapshot();

    // Act
    const answer = await decide(body);

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("REASON_REQUIRED");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a reason over 1000 characters, changing nothing", async () => {
    // Prepare
    await seed();
    const before = await snapshot();

    // Act
    const answer = await decide({ decision: "reject", reason: "x".repeat(1001) });

    // Assess
    expect(answer.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [
      "no letter yet",
      { review: { status: "awaiting-document", deadline: DEADLINE }, documents: undefined },
      `The review of order ${ORDER_ID} is awaiting-document, not awaiting a decision.`,
    ],
    [
      "an approved review",
      { review: { status: "approved", deadline: DEADLINE, decidedAt: WAITING_SINCE } },
      `The review of order ${ORDER_ID} is approved, not awaiting a decision.`,
    ],
    [
      "a rejected review not resubmitted",
      { review: { status: "rejected", deadline: DEADLINE, reason: "Wrong name." } },
      `The review of order ${ORDER_ID} is rejected, not awaiting a decision.`,
    ],
    [
      "a DV order",
      { product: "DV", organization: undefined, review: undefined, documents: undefined },
      `Order ${ORDER_ID} is DV: it has no organization review.`,
    ],
    ["a failed order", { status: "FAILED" }, `Order ${ORDER_ID} is FAILED: its review is over.`],
    [
      "a cancelled order",
      { status: "CANCELLED" },
      `Order ${ORDER_ID} is CANCELLED: its review is over.`,
    ],
    [
      "an issuing order",
      { status: "ISSUING" },
      `Order ${ORDER_ID} is ISSUING: its review is over.`,
    ],
  ] as const)(
    "refuses to decide %s (409 REVIEW_NOT_AWAITING_DECISION), changing nothing",
    async (_case, overrides, message) => {
      for (const decision of ["approve", "reject"]) {
        // Prepare
        newWorld();
        await seed(overrides as Partial<OrderRecord>);
        const before = await snapshot();

        // Act
        const answer = await decide({ decision, reason: "Checked." });

        // Assess
        expect(answer.status).toBe(409);
        expect(answer.json.error).toEqual({ code: "REVIEW_NOT_AWAITING_DECISION", message });
        expect(await snapshot()).toEqual(before);
        expect(
          await deps.store.approvedOrganization("tenant-a", organizationKey(organization), NOW),
        ).toBeUndefined();
      }
    },
  );

  it.each([
    ["the order's own customer", { tenant: "tenant-a", role: "customer" }],
    ["another customer", { tenant: "tenant-b", role: "customer" }],
  ])("is for operators only: refuses %s (403), changing nothing", async (_case, call) => {
    // Prepare
    await seed();
    const before = await snapshot();

    // Act
    const answer = await decide({ decision: "approve" }, call);

    // Assess
    expect(answer.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it("answers 404 for an order that does not exist", async () => {
    // Act
    const answer = await decide({ decision: "approve" });

    // Assess
    expect(answer.status).toBe(404);
  });
});
