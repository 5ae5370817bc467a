import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import type {
  CertificateAuthority,
  CertificateIdentity,
} from "../../../../functions/ports/certificate-authority.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_finalizeidentity";
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };
const ev = {
  jurisdictionCountry: "DE",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};

/** An order waiting for issuance, and a CA that records what finalize was given. */
async function orderWithCsr(overrides: Partial<OrderRecord>) {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      status: "PENDING_VALIDATION",
      caOrderRef: "eca_1",
      ...overrides,
    }),
    sampleEvent(clock.now(), "Order received."),
  );
  const finalized: [string, string, number, CertificateIdentity][] = [];
  const ca = {
    async finalize(ref, csr, days, identity) {
      finalized.push([ref, csr, days, identity]);
      return { state: "processing" };
    },
  } as Pick<CertificateAuthority, "finalize">;
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

describe("FinalizeWithCsr and the certificate's identity", () => {
  it("tells the CA a DV order's product only", async () => {
    const world = await orderWithCsr({});

    await world.finalize();

    expect(world.finalized).toEqual([["eca_1", "csr-pem", 90, { product: "DV" }]]);
  });

  it("tells the CA an EV order's organization and registration details", async () => {
    const world = await orderWithCsr({ product: "EV", organization, ev });

    await world.finalize();

    expect(world.finalized[0]?.[3]).toEqual({ product: "EV", organization, ev });
  });

  it("reads them from the order as it is when finalizing (a resubmission corrected them)", async () => {
    const world = await orderWithCsr({ product: "OV", organization });
    const corrected = { ...organization, name: "Example Berlin GmbH" };
    const stored = await world.store.get(ORDER_ID);
    if (stored === undefined) throw new Error("no order");
    await world.store.update(
      stored,
      { organization: corrected },
      sampleEvent("2027-01-10T08:00:00Z", "Resubmitted."),
    );

    await world.finalize();

    expect(world.finalized[0]?.[3]).toEqual({ product: "OV", organization: corrected });
  });
});
