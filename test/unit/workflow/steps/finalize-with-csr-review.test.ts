import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import type { CertificateAuthority } from "../../../../functions/ports/certificate-authority.ts";
import { OrderNotInStep } from "../../../../functions/workflow/workflow-errors.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_finalizereview1";
const NOW = new Date("2027-01-10T08:00:00.000Z");
const DEADLINE = "2027-01-17T08:00:00.000Z";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };

/** An OV order whose names are validated, with `review`, and a CA that records finalize. */
async function ovOrder(status: OrderRecord["status"], review: Partial<ReviewRecord>) {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      status,
      product: "OV",
      organization,
      review: { status: "awaiting-document", deadline: DEADLINE, ...review },
      caOrderRef: "eca_1",
      waitToken: "token-1",
    }),
    sampleEvent(NOW, "Order received."),
  );
  const finalized: unknown[][] = [];
  const ca = {
    async finalize(...args: unknown[]) {
      finalized.push(args);
      return { state: "processing" };
    },
  } as unknown as Pick<CertificateAuthority, "finalize">;
  const deps = {
    clock,
    store,
    ca,
    vault: { getCsr: async () => "csr-pem" },
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  return {
    store,
    finalized,
    finalize: () => runDeclaredStep(deps, "FinalizeWithCsr", { orderId: ORDER_ID }),
  };
}

describe("FinalizeWithCsr and the organization review", () => {
  it.each([
    ["PENDING_VALIDATION", "awaiting-document"],
    ["PENDING_VALIDATION", "awaiting-decision"],
    ["PENDING_REVIEW", "awaiting-decision"],
    ["PENDING_REVIEW", "rejected"],
    ["ISSUING", "awaiting-decision"],
  ] as const)(
    "refuses an order in %s whose review is %s, before the CA hears of it",
    async (status, reviewStatus) => {
      // Prepare
      const world = await ovOrder(status, { status: reviewStatus });
      const before = await world.store.get(ORDER_ID);

      // Act
      const finalizing = world.finalize();

      // Assess
      await expect(finalizing).rejects.toThrow(OrderNotInStep);
      await expect(finalizing).rejects.toThrow(
        `Order ${ORDER_ID}'s organization review is not approved.`,
      );
      expect(world.finalized).toEqual([]);
      expect(await world.store.get(ORDER_ID)).toEqual(before);
    },
  );

  it("takes an order in PENDING_REVIEW once its review is approved, and moves it to ISSUING", async () => {
    // Prepare
    const world = await ovOrder("PENDING_REVIEW", {
      status: "approved",
      decidedAt: NOW.toISOString(),
    });

    // Act
    const plan = await world.finalize();

    // Assess
    expect(plan).toEqual({ attempt: 0, ready: false, waitSeconds: expect.any(Number) });
    const order = await world.store.get(ORDER_ID);
    expect(order).toMatchObject({
      status: "ISSUING",
      caDeadline: new Date(
        NOW.getTime() + DEFAULT_WORKFLOW_SETTINGS.caDecisionTimeoutSeconds * 1000,
      ).toISOString(),
    });
    expect((await world.store.history(ORDER_ID)).at(-1)).toEqual({
      at: NOW.toISOString(),
      type: "status",
      status: "ISSUING",
      message: "The CSR was sent to the CA for issuance.",
    });
    expect(world.finalized).toEqual([["eca_1", "csr-pem", 90, { product: "OV", organization }]]);
  });

  it("takes an order in PENDING_VALIDATION whose organization approval was reused", async () => {
    // Prepare
    const world = await ovOrder("PENDING_VALIDATION", {
      status: "approved",
      reusedFrom: "ord_first1",
    });

    // Act
    await world.finalize();

    // Assess
    expect((await world.store.get(ORDER_ID))?.status).toBe("ISSUING");
    expect(world.finalized).toHaveLength(1);
  });
});
