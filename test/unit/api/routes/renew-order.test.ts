import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { renewalOrderId } from "../../../../functions/orders/renewals.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  recordingWorkflow,
  seed,
  stored,
} from "../../../support/renewal-fixtures.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER = "ord_renewbyhand";
const PATH = `/v1/orders/${ORDER}/renewals`;
const RENEWAL = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 0);

let deps: AllDependencies;
let workflow: ReturnType<typeof recordingWorkflow>;

beforeEach(() => {
  workflow = recordingWorkflow();
  const base = routeTestDependencies(fixedClock(RENEWAL_NOW));
  deps = { ...base, workflow: { ...base.workflow, startExecution: workflow.startExecution } };
});

async function orderWith(overrides: Partial<OrderRecord> = {}, orderId = ORDER) {
  await seed(deps.store, issuedRecord(orderId, overrides));
}

describe("POST /v1/orders/{id}/renewals", () => {
  it("answers 202 with the renewal's id and starts it with the same key and CSR", async () => {
    // Prepare
    await orderWith();

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: {} });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ id: ORDER, renewal: { orderId: RENEWAL, rekey: false } });
    expect(answer.result.headers.location).toBe(`${deps.settings.publicApiUrl}/v1/orders/${ORDER}`);
    expect((await stored(deps.store, ORDER)).renewal?.inFlight).toMatchObject({
      orderId: RENEWAL,
      trigger: "manual",
      rekey: false,
    });
    expect((await stored(deps.store, RENEWAL)).renewalOf).toBe(ORDER);
    expect(workflow.started.map((execution) => execution.name)).toEqual([`${RENEWAL}-1`]);
  });

  it("renews with a new key when asked", async () => {
    // Prepare
    await orderWith();

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: { rekey: true } });

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json.renewal).toEqual({ orderId: RENEWAL, rekey: true });
    expect((await stored(deps.store, RENEWAL)).rekey).toBe(true);
  });

  it("answers 400 for a body with other fields, and starts nothing", async () => {
    // Prepare
    await orderWith();

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: { rekey: true, keyType: "RSA" } });

    // Assess
    expect(answer.status).toBe(400);
    expect(workflow.started).toEqual([]);
  });

  it("answers 409 RENEWAL_IN_FLIGHT while a renewal runs", async () => {
    // Prepare
    await orderWith();
    await callRoute(deps, "POST", PATH, { body: {} });

    // Act
    const again = await callRoute(deps, "POST", PATH, { body: { rekey: true } });

    // Assess
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("RENEWAL_IN_FLIGHT");
    expect(again.json.error.message).toContain(RENEWAL);
    expect(workflow.started).toHaveLength(1);
  });

  it("completes a renewal whose starter stopped after the claim, and answers 409 RENEWAL_IN_FLIGHT", async () => {
    // Prepare: the order is claimed for RENEWAL, which was neither written nor started.
    await orderWith({
      renewal: {
        attempts: 1,
        inFlight: {
          orderId: RENEWAL,
          startedAt: RENEWAL_NOW.toISOString(),
          trigger: "manual",
          rekey: false,
        },
      },
    });

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: {} });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("RENEWAL_IN_FLIGHT");
    expect((await stored(deps.store, RENEWAL)).renewalOf).toBe(ORDER);
    expect(workflow.started.map((execution) => execution.name)).toEqual([`${RENEWAL}-1`]);
  });

  it("answers one of two racing requests 202 and the other 409 RENEWAL_IN_FLIGHT", async () => {
    // Prepare
    await orderWith();

    // Act
    const answers = await Promise.all([
      callRoute(deps, "POST", PATH, { body: {} }),
      callRoute(deps, "POST", PATH, { body: {} }),
    ]);

    // Assess
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    expect(answers.find((answer) => answer.status === 409)?.json.error.code).toBe(
      "RENEWAL_IN_FLIGHT",
    );
  });

  it.each(["PENDING_VALIDATION", "REVOKED", "EXPIRED"] as const)(
    "answers 409 NOT_ISSUED for an order that is %s",
    async (status) => {
      // Prepare
      await orderWith({ status });

      // Act
      const answer = await callRoute(deps, "POST", PATH, { body: {} });

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe("NOT_ISSUED");
      expect(workflow.started).toEqual([]);
    },
  );

  it("answers 422 REKEY_NEEDS_CSR for a new key of an order issued for the customer's CSR", async () => {
    // Prepare
    await orderWith({ keySource: { kind: "uploaded-csr" } });

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: { rekey: true } });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe("REKEY_NEEDS_CSR");
    expect((await stored(deps.store, ORDER)).renewal).toBeUndefined();
  });

  it("answers 409 IS_A_RENEWAL for a renewal order", async () => {
    // Prepare
    await orderWith({ renewalOf: "ord_itsorder" }, "ord_arenewal");

    // Act
    const answer = await callRoute(deps, "POST", "/v1/orders/ord_arenewal/renewals", {
      body: {},
    });

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("IS_A_RENEWAL");
  });

  it("answers 404 to another tenant, and starts nothing", async () => {
    // Prepare
    await orderWith();

    // Act
    const answer = await callRoute(deps, "POST", PATH, { body: {}, tenant: "tenant-b" });

    // Assess
    expect(answer.status).toBe(404);
    expect((await stored(deps.store, ORDER)).renewal).toBeUndefined();
    expect(workflow.started).toEqual([]);
  });
});
