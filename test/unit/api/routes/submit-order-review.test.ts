import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import { caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

const NOW = "2027-01-10T08:00:00.000Z";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const ev = {
  jurisdictionCountry: "DE",
  jurisdictionLocality: "Berlin",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};
const contact = { name: "Ada", email: "ada@example.com", phone: "+49 30 1234567" };
const ovOrder = {
  domains: ["shop.example.com"],
  product: "OV",
  validation: { method: "dns-txt" },
  contact,
  organization,
};

let clock: ReturnType<typeof fixedClock>;
let deps: AllDependencies;
let started: string[];
let ids: number;

beforeEach(() => {
  clock = fixedClock(new Date(NOW));
  started = [];
  ids = 0;
  deps = routeTestDependencies(clock, {
    newOrderId: () => `ord_submitted${++ids}`,
    workflow: {
      ...routeTestDependencies(clock).workflow,
      async startExecution(name) {
        started.push(name);
      },
    },
  });
});

const submit = (body: unknown, call: RouteCall = {}) =>
  callRoute(deps, "POST", "/v1/orders", { body, ...call });

/** An operator's approval of `orderId`'s organization, once its letter arrived. */
async function approve(orderId: string): Promise<void> {
  await updateOrder(deps.store, orderId, (current) => ({
    changes: {
      review: {
        status: "awaiting-decision",
        deadline: current.review?.deadline ?? NOW,
        awaitingSince: clock.now().toISOString(),
      },
    },
  }));
  const answer = await callRoute(deps, "POST", `/v1/orders/${orderId}/review`, {
    body: { decision: "approve" },
    tenant: "ops",
    role: "operator",
  });
  expect(answer.status).toBe(200);
}

describe("POST /v1/orders for OV and EV", () => {
  it("starts an OV order's review waiting for the letter, until the review timeout, and says so first", async () => {
    // Act
    const answer = await submit(ovOrder);

    // Assess
    expect(answer.status).toBe(202);
    const deadline = "2027-01-17T08:00:00.000Z";
    expect(answer.json.review).toEqual({ status: "awaiting-document", deadline });
    const order = await deps.store.get("ord_submitted1");
    expect(order?.review).toEqual({ status: "awaiting-document", deadline });
    expect(order?.organization).toEqual(organization);
    expect(await deps.store.history("ord_submitted1")).toEqual([
      {
        at: NOW,
        type: "status",
        status: "SUBMITTED",
        message: `Order submitted. The organization review waits for the signed confirmation letter (POST /v1/orders/ord_submitted1/documents) until ${deadline}.`,
      },
    ]);
    expect(started).toEqual(["ord_submitted1-1"]);
  });

  it("takes the review's deadline from the settings", async () => {
    // Prepare
    deps = { ...deps, settings: { ...DEFAULT_WORKFLOW_SETTINGS, reviewTimeoutSeconds: 3600 } };

    // Act
    const answer = await submit(ovOrder);

    // Assess
    expect(answer.json.review.deadline).toBe("2027-01-10T09:00:00.000Z");
  });

  it("starts a second order of the same organization and tenant approved, saying why", async () => {
    // Prepare
    await submit(ovOrder);
    await approve("ord_submitted1");
    clock.advance(86_400);

    // Act
    const answer = await submit({
      ...ovOrder,
      domains: ["www.example.com"],
      organization: { ...organization, name: "  example gmbh " },
    });

    // Assess
    expect(answer.status).toBe(202);
    const reason = `The same organization was approved on ${NOW} (order ord_submitted1); Baseline Requirements allow reusing it for 398 days, until 2028-02-12T08:00:00.000Z.`;
    expect(answer.json.review).toEqual({
      status: "approved",
      deadline: "2027-01-18T08:00:00.000Z",
      decidedAt: "2027-01-11T08:00:00.000Z",
      reusedFrom: "ord_submitted1",
      reason,
    });
    expect((await deps.store.history("ord_submitted2"))[0]?.message).toBe(
      `Order submitted. The organization review is skipped: ${reason}`,
    );
  });

  it.each([
    ["of another tenant", { tenant: "tenant-b" }, ovOrder],
    [
      "of another organization",
      {},
      { ...ovOrder, organization: { ...organization, locality: "Potsdam" } },
    ],
  ])("starts an order %s waiting for its own letter", async (_case, call, body) => {
    // Prepare
    await submit(ovOrder);
    await approve("ord_submitted1");

    // Act
    const answer = await submit(body, call);

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json.review.status).toBe("awaiting-document");
    expect(answer.json.review.reusedFrom).toBeUndefined();
  });

  it("reviews again once the approval is 398 days old", async () => {
    // Prepare
    await submit(ovOrder);
    await approve("ord_submitted1");
    clock.advance(398 * 86_400);

    // Act
    const answer = await submit(ovOrder);

    // Assess
    expect(answer.json.review.status).toBe("awaiting-document");
  });

  it("stores an EV order's registration details, trimmed, and reviews them", async () => {
    // Act
    const answer = await submit({
      ...ovOrder,
      product: "EV",
      ev: { ...ev, registrationNumber: " HRB 12345 B ", jurisdictionState: " " },
    });

    // Assess
    expect(answer.status).toBe(202);
    const order = await deps.store.get("ord_submitted1");
    expect(order).toMatchObject({ product: "EV", organization, ev });
    expect(order?.ev).toEqual(ev);
    expect(order?.review?.status).toBe("awaiting-document");
  });

  it("does not reuse an OV approval for an EV order of the same organization", async () => {
    // Prepare
    await submit(ovOrder);
    await approve("ord_submitted1");

    // Act
    const answer = await submit({ ...ovOrder, product: "EV", ev });

    // Assess
    expect(answer.json.review.status).toBe("awaiting-document");
  });

  it("starts a DV order without review", async () => {
    // Act
    const answer = await submit({
      domains: ["shop.example.com"],
      validation: { method: "dns-txt" },
      contact,
    });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json.review).toBeUndefined();
    expect((await deps.store.history("ord_submitted1"))[0]?.message).toBe("Order submitted.");
  });

  it.each(["OV", "EV"])(
    "refuses %s on an ACME CA (422 NOT_OFFERED_BY_CA), storing nothing",
    async (product) => {
      // Prepare
      deps = { ...deps, caProfile: caProfileOf("acme") };

      // Act
      const answer = await submit({ ...ovOrder, product, ...(product === "EV" ? { ev } : {}) });

      // Assess
      expect(answer.status).toBe(422);
      expect(answer.json.error).toEqual({
        code: "NOT_OFFERED_BY_CA",
        message: `This service orders from an ACME CA, which issues DV certificates only; ${product} is not offered.`,
      });
      expect(await deps.store.get("ord_submitted1")).toBeUndefined();
      expect(started).toEqual([]);
    },
  );
});
