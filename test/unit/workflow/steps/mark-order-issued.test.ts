import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { renewalOrderId, startRenewal } from "../../../../functions/orders/renewals.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWAL_NOW,
  RENEWED_CERTIFICATE,
  renewalWorld,
  seed,
  stored,
} from "../../../support/renewal-fixtures.ts";

const ORDER = "ord_issuing1";
const RENEWAL = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 0);

/** The order with its renewal started, and the renewal `renewal` (ISSUING, certificate stored). */
async function renewalIssuing(renewal: Partial<OrderRecord> = {}) {
  const world = renewalWorld();
  const mailer = createMemoryMailer();
  await seed(world.store, issuedRecord(ORDER));
  await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
  await world.store.update(await stored(world.store, RENEWAL), {
    status: "ISSUING",
    certificate: RENEWED_CERTIFICATE,
    ...renewal,
  });
  const deps = { ...world.deps, mailer, logError: () => undefined } as unknown as StepDependencies;
  return {
    ...world,
    mailer,
    step: (state: string, orderId = RENEWAL) => runDeclaredStep(deps, state, { orderId }),
  };
}

describe("MarkOrderIssued", () => {
  it("issues a renewal and makes its certificate the current one of the order it renews", async () => {
    // Prepare
    const world = await renewalIssuing();

    // Act
    await world.step("MarkOrderIssued");

    // Assess
    expect((await stored(world.store, RENEWAL)).status).toBe("ISSUED");
    const order = await stored(world.store, ORDER);
    expect(order.status).toBe("ISSUED");
    expect(order.certificate).toEqual(RENEWED_CERTIFICATE);
    expect(order.certificates).toEqual([
      lineageEntry(RENEWED_CERTIFICATE, RENEWAL, FIRST_CERTIFICATE.serialNumber),
      lineageEntry(FIRST_CERTIFICATE, ORDER),
    ]);
    expect(order.renewal).toEqual({ attempts: 0 });
    expect((await world.store.history(ORDER)).at(-1)).toMatchObject({
      at: RENEWAL_NOW.toISOString(),
      type: "renewal",
    });
  });

  it("changes nothing when it runs again", async () => {
    // Prepare
    const world = await renewalIssuing();
    await world.step("MarkOrderIssued");
    const order = await stored(world.store, ORDER);
    const renewal = await stored(world.store, RENEWAL);

    // Act
    await world.step("MarkOrderIssued");

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(order);
    expect(await stored(world.store, RENEWAL)).toEqual(renewal);
  });

  it("promotes a renewal issued by a run that stopped before promoting it", async () => {
    // Prepare: the renewal is ISSUED, its order still shows the old certificate.
    const world = await renewalIssuing({ status: "ISSUED" });

    // Act
    await world.step("MarkOrderIssued");

    // Assess
    expect((await stored(world.store, ORDER)).certificate).toEqual(RENEWED_CERTIFICATE);
  });

  it("issues an order that is no renewal without touching another order", async () => {
    // Prepare
    const world = await renewalIssuing();
    const renewed = await stored(world.store, ORDER);
    await seed(
      world.store,
      issuedRecord("ord_plain1", { status: "ISSUING", certificate: FIRST_CERTIFICATE }),
    );

    // Act
    await world.step("MarkOrderIssued", "ord_plain1");

    // Assess
    expect((await stored(world.store, "ord_plain1")).status).toBe("ISSUED");
    expect(await stored(world.store, ORDER)).toEqual(renewed);
  });

  it("mails the renewal with the links of the order it renews", async () => {
    // Prepare
    const world = await renewalIssuing();
    await world.step("MarkOrderIssued");

    // Act
    await world.step("SendIssuedMail");

    // Assess
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.mailer.sent[0]?.subject).toBe("Certificate renewed for shop.example.com");
    expect(world.mailer.sent[0]?.text).toContain(`/v1/orders/${ORDER}/certificate?format=pem`);
    expect(world.mailer.sent[0]?.text).not.toContain(`/v1/orders/${RENEWAL}/`);
  });
});
