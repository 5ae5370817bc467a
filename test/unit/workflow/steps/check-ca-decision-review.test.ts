import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, ReviewRecord } from "../../../../functions/domain/order-record.ts";
import type { CertificateAuthority } from "../../../../functions/ports/certificate-authority.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  pendingValidation,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";

const ORDER_ID = "ord_cadecision1";
const NOW = new Date("2027-01-10T08:00:00.000Z");
const DEADLINE = "2027-01-17T08:00:00.000Z";
const SEVEN_DAYS = 7 * 86_400;
const organization = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };

/** An order whose names the CA validated, looked at (look number 3) at `at`. */
async function validatedByCa(overrides: Partial<OrderRecord>, at: Date = NOW) {
  const clock = fixedClock(NOW);
  const store = createMemoryOrderStore(clock);
  await store.create(
    sampleOrder({
      orderId: ORDER_ID,
      status: "PENDING_VALIDATION",
      caOrderRef: "eca_1",
      validations: [pendingValidation("shop.example.com")],
      ...overrides,
    }),
    sampleEvent(NOW, "Order received."),
  );
  const ca = {
    validationProgress: async () => ({ state: "valid" }),
  } as unknown as Pick<CertificateAuthority, "validationProgress">;
  const deps = {
    clock,
    store,
    ca,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
  } as unknown as StepDependencies;
  clock.set(at);
  const decision = await runDeclaredStep(deps, "CheckCaDecision", {
    orderId: ORDER_ID,
    attempt: 2,
  });
  return { decision, order: await store.get(ORDER_ID) };
}

const ov = (review: Partial<ReviewRecord>): Partial<OrderRecord> => ({
  product: "OV",
  organization,
  review: { status: "awaiting-document", deadline: DEADLINE, ...review },
});

describe("CheckCaDecision for an OV/EV order", () => {
  it.each(["awaiting-document", "awaiting-decision", "rejected"] as const)(
    "with a review %s, answers the wait for the review's first turn: to its deadline",
    async (status) => {
      // Act
      const { decision, order } = await validatedByCa(ov({ status }));

      // Assess
      expect(decision).toEqual({
        attempt: 3,
        valid: true,
        reviewPending: true,
        waitSeconds: SEVEN_DAYS,
        done: false,
      });
      expect(order?.validations.map((validation) => validation.status)).toEqual(["valid"]);
    },
  );

  it("rounds the seconds to the deadline up", async () => {
    // Act
    const { decision } = await validatedByCa(ov({}), new Date(Date.parse(DEADLINE) - 3600_250));

    // Assess
    expect(decision).toMatchObject({ reviewPending: true, waitSeconds: 3601, done: false });
  });

  it("gives the review's first turn a minute when the deadline passed already: time for its function to fail it", async () => {
    // Act
    const { decision } = await validatedByCa(ov({}), new Date(Date.parse(DEADLINE) + 60_000));

    // Assess
    expect(decision).toEqual({
      attempt: 3,
      valid: true,
      reviewPending: true,
      waitSeconds: 60,
      done: false,
    });
  });

  it("goes on to issuance when the review is approved", async () => {
    // Act
    const { decision } = await validatedByCa(ov({ status: "approved", reusedFrom: "ord_first1" }));

    // Assess
    expect(decision).toEqual({ attempt: 3, valid: true, reviewPending: false, waitSeconds: 1 });
  });

  it("goes on to issuance for a DV order, which has no review", async () => {
    // Act
    const { decision } = await validatedByCa({});

    // Assess
    expect(decision).toEqual({ attempt: 3, valid: true, reviewPending: false, waitSeconds: 1 });
  });
});
