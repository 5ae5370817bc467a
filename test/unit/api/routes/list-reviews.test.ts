import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

const NOW = "2027-01-12T08:00:00.000Z";
const DEADLINE = "2027-01-17T08:00:00.000Z";
const OPERATOR: RouteCall = { tenant: "ops", role: "operator" };
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const ev = {
  jurisdictionCountry: "DE",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};
const contact = { name: "Ada", email: "ada@example.com", phone: "+49 30 1234567" };

let deps: AllDependencies;
/** The limits the route asked the store for. */
let asked: number[];

/** An OV order whose letter arrived at `awaitingSince`, waiting for a decision. */
async function queued(
  orderId: string,
  awaitingSince: string,
  overrides: Partial<OrderRecord> = {},
): Promise<void> {
  const order = sampleOrder({
    orderId,
    status: "PENDING_REVIEW",
    product: "OV",
    organization,
    contact,
    review: { status: "awaiting-decision", deadline: DEADLINE, awaitingSince },
    documents: [
      {
        id: `doc_${orderId.slice(4).padEnd(16, "0")}`,
        contentType: "image/png",
        size: 1000,
        width: 1240,
        height: 1754,
        uploadedAt: awaitingSince,
      },
    ],
    ...overrides,
  });
  await deps.store.create(order, { at: order.createdAt, type: "note", message: "seeded" });
}

beforeEach(() => {
  deps = routeTestDependencies(fixedClock(new Date(NOW)));
  asked = [];
  const awaitingReview = deps.store.awaitingReview.bind(deps.store);
  deps.store.awaitingReview = (limit) => {
    asked.push(limit);
    return awaitingReview(limit);
  };
});

const list = (query = "", call: RouteCall = OPERATOR) =>
  callRoute(deps, "GET", `/v1/reviews${query}`, call);

describe("GET /v1/reviews", () => {
  it("lists the orders whose letter awaits a decision, oldest first, with what the operator checks", async () => {
    // Prepare
    await queued("ord_newer", "2027-01-11T09:00:00.000Z");
    await queued("ord_older", "2027-01-10T09:00:00.000Z", {
      tenantId: "tenant-b",
      status: "SUBMITTED",
      product: "EV",
      ev,
      names: [{ ascii: "xn--bcher-kva.example", display: "bücher.example", wildcard: false }],
    });
    await queued("ord_middle", "2027-01-11T08:00:00.000Z", { status: "PENDING_VALIDATION" });

    // Act
    const answer = await list();

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.reviews.map((review: any) => review.orderId)).toEqual([
      "ord_older",
      "ord_middle",
      "ord_newer",
    ]);
    expect(answer.json.reviews[0]).toEqual({
      orderId: "ord_older",
      tenantId: "tenant-b",
      product: "EV",
      names: ["bücher.example"],
      status: "SUBMITTED",
      organization,
      ev,
      contact,
      awaitingSince: "2027-01-10T09:00:00.000Z",
      deadline: DEADLINE,
      documents: [
        {
          id: "doc_older00000000000",
          contentType: "image/png",
          size: 1000,
          width: 1240,
          height: 1754,
          uploadedAt: "2027-01-10T09:00:00.000Z",
          url: "/v1/orders/ord_older/documents/doc_older00000000000",
        },
      ],
    });
    expect(answer.json.reviews[1].ev).toBeUndefined();
  });

  it("puts orders that waited as long in the order of their ids", async () => {
    // Prepare
    await queued("ord_b", "2027-01-11T08:00:00.000Z");
    await queued("ord_a", "2027-01-11T08:00:00.000Z");

    // Act
    const answer = await list();

    // Assess
    expect(answer.json.reviews.map((review: any) => review.orderId)).toEqual(["ord_a", "ord_b"]);
  });

  it("leaves out reviews not waiting for a decision and orders whose review is over", async () => {
    // Prepare
    await queued("ord_waiting", "2027-01-11T08:00:00.000Z");
    await queued("ord_noletter", "2027-01-10T08:00:00.000Z", {
      review: { status: "awaiting-document", deadline: DEADLINE },
    });
    await queued("ord_approved", "2027-01-10T08:00:00.000Z", {
      review: { status: "approved", deadline: DEADLINE, awaitingSince: "2027-01-10T08:00:00Z" },
    });
    await queued("ord_rejected", "2027-01-10T08:00:00.000Z", {
      review: { status: "rejected", deadline: DEADLINE, awaitingSince: "2027-01-10T08:00:00Z" },
    });
    for (const status of ["FAILED", "CANCELLED", "ISSUING", "ISSUED"] as const) {
      await queued(`ord_${status.toLowerCase()}`, "2027-01-10T08:00:00.000Z", { status });
    }
    await queued("ord_dv", "2027-01-10T08:00:00.000Z", { product: "DV", review: undefined });

    // Act
    const answer = await list();

    // Assess
    expect(answer.json.reviews.map((review: any) => review.orderId)).toEqual(["ord_waiting"]);
  });

  it("answers an empty queue", async () => {
    // Act
    const answer = await list();

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ reviews: [] });
  });

  it("gives at most `limit` reviews, the oldest", async () => {
    // Prepare
    for (let day = 1; day <= 5; day++) {
      await queued(`ord_day${day}`, `2027-01-0${day}T08:00:00.000Z`);
    }

    // Act
    const answer = await list("?limit=2");

    // Assess
    expect(answer.json.reviews.map((review: any) => review.orderId)).toEqual([
      "ord_day1",
      "ord_day2",
    ]);
    expect(asked).toEqual([2]);
  });

  it("caps the limit at 100", async () => {
    // Prepare
    for (let index = 0; index < 101; index++) {
      const at = new Date(Date.parse("2027-01-01T00:00:00.000Z") + index * 60_000).toISOString();
      await queued(`ord_n${String(index).padStart(3, "0")}`, at);
    }

    // Act
    const answer = await list("?limit=500");

    // Assess
    expect(asked).toEqual([100]);
    expect(answer.json.reviews).toHaveLength(100);
    expect(answer.json.reviews.at(-1).orderId).toBe("ord_n099");
  });

  it.each([
    ["no limit", ""],
    ["a limit of 0", "?limit=0"],
    ["a negative limit", "?limit=-3"],
    ["a fraction", "?limit=1.5"],
    ["a word", "?limit=all"],
  ])("asks for 50 with %s", async (_case, query) => {
    // Act
    const answer = await list(query);

    // Assess
    expect(answer.status).toBe(200);
    expect(asked).toEqual([50]);
  });

  it("is for operators only", async () => {
    // Prepare
    await queued("ord_waiting", "2027-01-11T08:00:00.000Z");

    // Act
    const answer = await list("", { tenant: "tenant-a", role: "customer" });

    // Assess
    expect(answer.status).toBe(403);
    expect(asked).toEqual([]);
  });
});
