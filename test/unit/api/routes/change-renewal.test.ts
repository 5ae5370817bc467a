import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { issuedRecord, RENEWAL_NOW, seed, stored } from "../../../support/renewal-fixtures.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_autorenew";
const PATH = `/v1/orders/${ORDER}/renewal`;

let deps: AllDependencies;

beforeEach(async () => {
  deps = routeTestDependencies(fixedClock(RENEWAL_NOW));
  await seed(deps.store, issuedRecord(ORDER));
});

const renewalEvents = async (orderId = ORDER) =>
  (await deps.store.history(orderId)).filter((event) => event.type === "renewal");

describe("PUT /v1/orders/{id}/renewal", () => {
  it("switches automatic renewal off, says so in the history with who did it", async () => {
    // Act
    const answer = await callRoute(deps, "PUT", PATH, { body: { autoRenew: false } });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.id).toBe(ORDER);
    expect(answer.json.renewal).toMatchObject({
      auto: false,
      notRenewing: "automatic renewal is off for this order",
    });
    expect(answer.json.renewal.nextAt).toBeUndefined();
    expect((await stored(deps.store, ORDER)).autoRenew).toBe(false);
    expect(await renewalEvents()).toEqual([
      {
        at: RENEWAL_NOW.toISOString(),
        type: "renewal",
        message: "Automatic renewal switched off: the certificate will not be renewed by itself.",
        by: { role: "customer", tenantId: "tenant-a" },
      },
    ]);
  });

  it("switches it on again, and an operator's switch names the operator", async () => {
    // Prepare
    await callRoute(deps, "PUT", PATH, { body: { autoRenew: false } });

    // Act
    const answer = await callRoute(deps, "PUT", PATH, {
      body: { autoRenew: true },
      role: "operator",
      tenant: "ops",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.renewal.auto).toBe(true);
    expect((await stored(deps.store, ORDER)).autoRenew).toBe(true);
    expect((await renewalEvents()).at(-1)).toMatchObject({
      message: "Automatic renewal switched on.",
      by: { role: "operator", tenantId: "ops" },
    });
  });

  it("changes nothing when the setting is already so", async () => {
    // Prepare
    const before = await stored(deps.store, ORDER);

    // Act
    const answer = await callRoute(deps, "PUT", PATH, { body: { autoRenew: true } });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json.renewal.auto).toBe(true);
    expect(await stored(deps.store, ORDER)).toEqual(before);
    expect(await renewalEvents()).toEqual([]);
  });

  it("keeps an order that is off in the renewal run for its expiry notices only", async () => {
    // Prepare: due at its renewal time; 30 days before the end is earlier.
    const noticeAt = "2027-04-20T00:00:00.000Z";
    expect(await deps.store.dueForRenewal(noticeAt, 10)).toEqual([]);

    // Act
    await callRoute(deps, "PUT", PATH, { body: { autoRenew: false } });

    // Assess
    const due = await deps.store.dueForRenewal(noticeAt, 10);
    expect(due.map((order) => order.orderId)).toEqual([ORDER]);
  });

  it("refuses a renewal order with 409 IS_A_RENEWAL", async () => {
    // Prepare
    await seed(deps.store, issuedRecord("ord_itsrenewal", { renewalOf: ORDER }));

    // Act
    const answer = await callRoute(deps, "PUT", "/v1/orders/ord_itsrenewal/renewal", {
      body: { autoRenew: false },
    });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("IS_A_RENEWAL");
    expect((await stored(deps.store, "ord_itsrenewal")).autoRenew).toBeUndefined();
  });

  it("answers 404 to another tenant", async () => {
    // Act
    const answer = await callRoute(deps, "PUT", PATH, {
      body: { autoRenew: false },
      tenant: "tenant-b",
    });

    // Assess
    expect(answer.status).toBe(404);
    expect((await stored(deps.store, ORDER)).autoRenew).toBeUndefined();
  });

  it.each([
    ["no setting", {}],
    ["a setting that is not a boolean", { autoRenew: "no" }],
    ["other fields", { autoRenew: false, when: "now" }],
  ])("answers 400 for %s", async (_case, body) => {
    // Act
    const answer = await callRoute(deps, "PUT", PATH, { body });

    // Assess
    expect(answer.status).toBe(400);
    expect((await stored(deps.store, ORDER)).autoRenew).toBeUndefined();
  });
});
