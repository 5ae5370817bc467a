import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import type { OrderStore } from "../../../../functions/ports/order-store.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER_ID = "ord_resubmit1";
const RESUBMISSION = `/v1/orders/${ORDER_ID}/resubmission`;
const NOW = "2027-01-12T08:00:00.000Z";
const DEADLINE = "2027-01-17T08:00:00.000Z";
const UPLOADED = "2027-01-11T08:00:00.000Z";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const ev = {
  jurisdictionCountry: "DE",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};
const contact = { name: "Ada", email: "ada@example.com", phone: "+49 30 1234567" };
const letter = {
  id: "doc_0123456789abcdef",
  contentType: "image/png" as const,
  size: 1000,
  width: 1240,
  height: 1754,
  uploadedAt: UPLOADED,
};
const rejected: ReviewRecord = {
  status: "rejected",
  deadline: DEADLINE,
  reason: "The register names Example AG.",
  decidedAt: UPLOADED,
};

let clock: ReturnType<typeof fixedClock>;
let deps: AllDependencies;

/** tenant-a's OV order whose review was rejected after its letter arrived, unless overridden. */
async function seed(overrides: Partial<OrderRecord> = {}): Promise<void> {
  const order = sampleOrder({
    orderId: ORDER_ID,
    status: "PENDING_REVIEW",
    product: "OV",
    organization,
    contact,
    review: rejected,
    documents: [letter],
    waitToken: "review-token",
    ...overrides,
  });
  await deps.store.create(order, { at: order.createdAt, type: "note", message: "seeded" });
}

beforeEach(() => {
  clock = fixedClock(new Date(NOW));
  deps = routeTestDependencies(clock);
});

function resubmit(body: unknown, call: RouteCall = {}) {
  return callRoute(deps, "POST", RESUBMISSION, { body, ...call });
}

async function snapshot() {
  return { order: await deps.store.get(ORDER_ID), history: await deps.store.history(ORDER_ID) };
}

/** A store whose order changes by `change` just after the route's first read of it. */
function changedAfterFirstRead(store: OrderStore, change: Partial<OrderRecord>): OrderStore {
  let reads = 0;
  return {
    ...store,
    async get(orderId) {
      const order = await store.get(orderId);
      reads += 1;
      if (reads === 1 && order !== undefined) {
        await store.update(order, change, { at: NOW, type: "note", message: "meanwhile" });
      }
      return order;
    },
  };
}

describe("POST /v1/orders/{id}/resubmission", () => {
  it("stores corrected details trimmed and puts the review back in the queue with a fresh awaitingSince", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await resubmit({
      organization: {
        name: "  Example AG ",
        unit: "   ",
        locality: " Berlin",
        state: "Berlin ",
        country: " DE ",
      },
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      id: ORDER_ID,
      status: "PENDING_REVIEW",
      organization: { name: "Example AG", locality: "Berlin", state: "Berlin", country: "DE" },
      review: { status: "awaiting-decision", deadline: DEADLINE },
    });
    const order = await deps.store.get(ORDER_ID);
    expect(order?.organization).toEqual({
      name: "Example AG",
      locality: "Berlin",
      state: "Berlin",
      country: "DE",
    });
    expect(order?.review).toEqual({
      status: "awaiting-decision",
      deadline: DEADLINE,
      awaitingSince: NOW,
    });
    expect(order?.waitToken).toBe("review-token");
    expect((await deps.store.history(ORDER_ID)).at(-1)).toEqual({
      at: NOW,
      type: "review",
      message: "Resubmitted for review with corrected organization.",
      by: { role: "customer", tenantId: "tenant-a" },
    });
    expect((await deps.store.awaitingReview(10)).map((queued) => queued.orderId)).toEqual([
      ORDER_ID,
    ]);
  });

  it("takes corrected EV details and contact, trimmed, and names each in the history", async () => {
    // Prepare
    await seed({ product: "EV", ev });

    // Act
    const answer = await resubmit({
      organization,
      ev: {
        jurisdictionCountry: "DE ",
        jurisdictionState: " ",
        jurisdictionLocality: " Berlin ",
        businessCategory: " Private Organization",
        registrationNumber: " HRB 54321 B ",
      },
      contact: { name: "Grace", email: " grace@example.com ", phone: "+49 30 7654321" },
    });

    // Assess
    expect(answer.status).toBe(200);
    const order = await deps.store.get(ORDER_ID);
    expect(order?.ev).toEqual({
      jurisdictionCountry: "DE",
      jurisdictionLocality: "Berlin",
      businessCategory: "Private Organization",
      registrationNumber: "HRB 54321 B",
    });
    expect(order?.contact).toEqual({
      name: "Grace",
      email: "grace@example.com",
      phone: "+49 30 7654321",
    });
    expect((await deps.store.history(ORDER_ID)).at(-1)?.message).toBe(
      "Resubmitted for review with corrected organization, registration details, contact.",
    );
  });

  it("resubmits with a new letter only, keeping the details as they are", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await resubmit({});

    // Assess
    expect(answer.status).toBe(200);
    const order = await deps.store.get(ORDER_ID);
    expect(order?.organization).toEqual(organization);
    expect(order?.contact).toEqual(contact);
    expect(order?.review).toEqual({
      status: "awaiting-decision",
      deadline: DEADLINE,
      awaitingSince: NOW,
    });
    expect((await deps.store.history(ORDER_ID)).at(-1)?.message).toBe("Resubmitted for review.");
  });

  it("takes a resubmission of a review still undecided, from the start of the queue to its end", async () => {
    // Prepare
    await seed({
      status: "PENDING_VALIDATION",
      review: { status: "awaiting-decision", deadline: DEADLINE, awaitingSince: UPLOADED },
    });

    // Act
    const answer = await resubmit({ organization: { ...organization, name: "Example AG" } });

    // Assess
    expect(answer.status).toBe(200);
    expect((await deps.store.get(ORDER_ID))?.review).toEqual({
      status: "awaiting-decision",
      deadline: DEADLINE,
      awaitingSince: NOW,
    });
  });

  it.each([
    ["no document at all", { documents: undefined }],
    [
      "no document, waiting for the letter",
      { documents: [], review: { status: "awaiting-document", deadline: DEADLINE } },
    ],
  ] as const)(
    "asks for the letter first with %s (409 LETTER_REQUIRED), changing nothing",
    async (_case, overrides) => {
      // Prepare
      await seed(overrides as Partial<OrderRecord>);
      const before = await snapshot();

      // Act
      const answer = await resubmit({ organization });

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.json.error).toEqual({
        code: "LETTER_REQUIRED",
        message: `Upload the signed confirmation letter first: POST /v1/orders/${ORDER_ID}/documents.`,
      });
      expect(await snapshot()).toEqual(before);
    },
  );

  it("refuses a review approved already (409 REVIEW_APPROVED), changing nothing", async () => {
    // Prepare
    await seed({ review: { status: "approved", deadline: DEADLINE, decidedAt: UPLOADED } });
    const before = await snapshot();

    // Act
    const answer = await resubmit({ organization: { ...organization, name: "Example AG" } });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("REVIEW_APPROVED");
    expect(await snapshot()).toEqual(before);
  });

  it.each(["FAILED", "CANCELLED", "ISSUED", "ISSUING"] as const)(
    "refuses an order %s (409 REVIEW_CLOSED), changing nothing",
    async (status) => {
      // Prepare
      await seed({ status });
      const before = await snapshot();

      // Act
      const answer = await resubmit({ organization });

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.json.error).toEqual({
        code: "REVIEW_CLOSED",
        message: `Order ${ORDER_ID} is ${status}: its review is over.`,
      });
      expect(await snapshot()).toEqual(before);
    },
  );

  it("refuses a DV order, which has no review (422 NO_REVIEW)", async () => {
    // Prepare
    await seed({ product: "DV", organization: undefined, review: undefined });

    // Act
    const answer = await resubmit({});

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("NO_REVIEW");
  });

  it.each([
    [
      "a country name",
      { organization: { ...organization, country: "Germany" } },
      "COUNTRY_INVALID",
    ],
    ["an empty name", { organization: { ...organization, name: "  " } }, "ORGANIZATION_INCOMPLETE"],
    [
      "a name too long for O",
      { organization: { ...organization, name: "E".repeat(65) } },
      "ORGANIZATION_FIELD_TOO_LONG",
    ],
    ["EV details on an OV order", { ev }, "EV_DETAILS_NOT_ALLOWED"],
    [
      "a contact without phone",
      { contact: { name: "Ada", email: "ada@example.com" } },
      "CONTACT_PHONE_REQUIRED",
    ],
    [
      "a contact email that is none",
      { contact: { ...contact, email: "ada" } },
      "CONTACT_EMAIL_INVALID",
    ],
  ])(
    "refuses corrected details with %s (422, the rule's code), changing nothing",
    async (_case, body, code) => {
      // Prepare
      await seed();
      const before = await snapshot();

      // Act
      const answer = await resubmit(body);

      // Assess
      expect(answer.status).toBe(422);
      expect(answer.json.error.code).toBe(code);
      expect(answer.json.error.details.problems[0].code).toBe(code);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each([
    [
      "a business category it does not know",
      { ev: { ...ev, businessCategory: "GmbH" } },
      "BUSINESS_CATEGORY_INVALID",
    ],
    [
      "a jurisdiction country name",
      { ev: { ...ev, jurisdictionCountry: "Germany" } },
      "JURISDICTION_COUNTRY_INVALID",
    ],
  ])("refuses an EV order's details with %s (422, the rule's code)", async (_case, body, code) => {
    // Prepare
    await seed({ product: "EV", ev });
    const before = await snapshot();

    // Act
    const answer = await resubmit(body);

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe(code);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a field it does not know (400)", async () => {
    // Prepare
    await seed();

    // Act
    const answer = await resubmit({ organisation: organization });

    // Assess
    expect(answer.status).toBe(400);
  });

  it.each([
    ["an operator", { tenant: "ops", role: "operator" }, 403],
    ["another tenant's customer", { tenant: "tenant-b", role: "customer" }, 404],
  ])(
    "is for the order's customer only: refuses %s, changing nothing",
    async (_case, call, status) => {
      // Prepare
      await seed();
      const before = await snapshot();

      // Act
      const answer = await resubmit({ organization }, call);

      // Assess
      expect(answer.status).toBe(status);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each([
    [
      "an operator approved it",
      { review: { status: "approved", deadline: DEADLINE, decidedAt: NOW } },
      "REVIEW_APPROVED",
    ],
    ["its deadline failed it", { status: "FAILED" }, "REVIEW_CLOSED"],
  ] as const)(
    "refuses, changing nothing, when %s while the resubmission was read",
    async (_case, change, code) => {
      // Prepare
      await seed();
      const store = deps.store;
      deps = { ...deps, store: changedAfterFirstRead(store, change as Partial<OrderRecord>) };

      // Act
      const answer = await resubmit({ organization: { ...organization, name: "Example AG" } });

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe(code);
      const order = await store.get(ORDER_ID);
      expect(order?.organization).toEqual(organization);
      expect(order?.review?.status).not.toBe("awaiting-decision");
      expect((await store.history(ORDER_ID)).at(-1)?.message).toBe("meanwhile");
    },
  );
});
