import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { renewalOrderId, startRenewal } from "../../../../functions/orders/renewals.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  renewalWorld,
  seed,
  stored,
} from "../../../support/renewal-fixtures.ts";

const ORDER = "ord_renewfails1";
const RENEWAL = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 0);
const FAILURE = { Error: "CaRejected", Cause: "The CA said no." };

/** The order with its renewal started and waiting for the customer. */
async function renewalRunning() {
  const world = renewalWorld();
  const mailer = createMemoryMailer();
  await seed(world.store, issuedRecord(ORDER));
  await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
  await world.store.update(await stored(world.store, RENEWAL), { status: "PENDING_VALIDATION" });
  const deps = { ...world.deps, mailer, logError: () => undefined } as unknown as StepDependencies;
  return {
    ...world,
    mailer,
    step: (state: string, input: Record<string, unknown>) => runDeclaredStep(deps, state, input),
  };
}

describe("RecordFailure of a renewal", () => {
  it("fails the renewal; its order keeps its certificate, says why and is due again", async () => {
    // Prepare
    const world = await renewalRunning();

    // Act
    const result = await world.step("RecordFailure", { orderId: RENEWAL, error: FAILURE });

    // Assess
    expect(result).toEqual({ code: "CA_REJECTED" });
    expect((await stored(world.store, RENEWAL)).status).toBe("FAILED");
    const order = await stored(world.store, ORDER);
    expect(order.status).toBe("ISSUED");
    expect(order.certificate?.serialNumber).toBe(FIRST_CERTIFICATE.serialNumber);
    expect(order.certificate?.renewAt).toBe(
      new Date(RENEWAL_NOW.getTime() + 12 * 3_600_000).toISOString(),
    );
    expect(order.renewal).toEqual({
      attempts: 1,
      lastFailure: {
        at: RENEWAL_NOW.toISOString(),
        code: "CA_REJECTED",
        message: "The CA said no.",
      },
    });
  });

  it("changes the order once however often it runs", async () => {
    // Prepare
    const world = await renewalRunning();
    await world.step("RecordFailure", { orderId: RENEWAL, error: FAILURE });
    const once = await stored(world.store, ORDER);

    // Act
    await world.step("RecordFailure", { orderId: RENEWAL, error: FAILURE });

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(once);
  });

  it("mails that the renewal failed, and how to renew now", async () => {
    // Prepare
    const world = await renewalRunning();
    await world.step("RecordFailure", { orderId: RENEWAL, error: FAILURE });

    // Act
    await world.step("SendFailureMail", { orderId: RENEWAL });

    // Assess
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.mailer.sent[0]?.subject).toBe("Renewal failed: shop.example.com");
    expect(world.mailer.sent[0]?.text).toContain("Reason (CA_REJECTED): The CA said no.");
    expect(world.mailer.sent[0]?.text).toContain(`POST /v1/orders/${ORDER}/renewals`);
  });

  it("touches no other order when an order that is no renewal fails", async () => {
    // Prepare
    const world = await renewalRunning();
    const renewed = await stored(world.store, ORDER);
    await seed(world.store, issuedRecord("ord_plain1", { status: "PENDING_VALIDATION" }));

    // Act
    await world.step("RecordFailure", { orderId: "ord_plain1", error: FAILURE });

    // Assess
    expect((await stored(world.store, "ord_plain1")).status).toBe("FAILED");
    expect(await stored(world.store, ORDER)).toEqual(renewed);
  });
});
