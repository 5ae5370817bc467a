import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { runRenewals } from "../../../functions/orders/renewal-run.ts";
import { renewalOrderId } from "../../../functions/orders/renewals.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWAL_NOW,
  RENEWED_CERTIFICATE,
  renewalWorld,
  seed,
  stored,
} from "../../support/renewal-fixtures.ts";

const ENDED = { ...FIRST_CERTIFICATE, notAfter: "2027-04-30T00:00:00.000Z" };
const LATER = { ...FIRST_CERTIFICATE, renewAt: "2027-05-10T00:00:00.000Z" };
const inFlight = (orderId: string) => ({
  attempts: 1,
  inFlight: {
    orderId,
    startedAt: "2027-04-25T00:00:00.000Z",
    trigger: "scheduled" as const,
    rekey: false,
  },
});

function runWorld(overrides: { store?: OrderStore } = {}) {
  const world = renewalWorld(overrides);
  const mailer = createMemoryMailer();
  return {
    ...world,
    mailer,
    run: (limit?: number) => runRenewals({ ...world.deps, mailer }, RENEWAL_NOW, { limit }),
  };
}

const renewalIdOf = (orderId: string) => renewalOrderId(orderId, FIRST_CERTIFICATE.serialNumber, 0);

describe("runRenewals", () => {
  it("renews each due order that renews itself, and leaves orders not due yet", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_due1"));
    await seed(world.store, issuedRecord("ord_due2", { autoRenew: true }));
    await seed(world.store, issuedRecord("ord_notyet", { certificate: LATER }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 2, started: 2, running: 0, expired: 0, skipped: 0 });
    expect(world.workflow.started.map((execution) => execution.name).sort()).toEqual(
      [`${renewalIdOf("ord_due1")}-1`, `${renewalIdOf("ord_due2")}-1`].sort(),
    );
    expect((await stored(world.store, "ord_due1")).renewal?.inFlight).toMatchObject({
      trigger: "scheduled",
      rekey: false,
    });
    expect((await stored(world.store, "ord_notyet")).renewal).toBeUndefined();
    expect(world.mailer.sent).toEqual([]);
  });

  it("takes no renewal order, and no order that is not ISSUED, from the index", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_isrenewal", { renewalOf: "ord_elsewhere" }));
    await seed(world.store, issuedRecord("ord_revoked", { status: "REVOKED" }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 0, started: 0, running: 0, expired: 0, skipped: 0 });
    expect(world.workflow.started).toEqual([]);
  });

  it("marks an ended order that does not renew itself EXPIRED, and mails its customer", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_off", { autoRenew: false, certificate: ENDED }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, running: 0, expired: 1, skipped: 0 });
    const order = await stored(world.store, "ord_off");
    expect(order.status).toBe("EXPIRED");
    expect((await world.store.history("ord_off")).at(-1)).toEqual({
      at: RENEWAL_NOW.toISOString(),
      type: "status",
      status: "EXPIRED",
      message: `Certificate 0a01 ended at ${ENDED.notAfter}, with no renewal to replace it.`,
    });
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.mailer.sent[0]).toMatchObject({
      to: ["ada@example.com"],
      subject: "Certificate expired: shop.example.com",
    });
    expect(world.mailer.sent[0]?.text).toContain("Automatic renewal was off for this order.");
  });

  it("tells the customer of an order that does not renew itself 30 days before the end, once", async () => {
    // Prepare: 19 days before the end, with auto-renewal off.
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_offlive", { autoRenew: false }));

    // Act
    const first = await world.run();
    const second = await world.run();

    // Assess
    expect(first).toMatchObject({ due: 1, started: 0, notified: 1, expired: 0 });
    expect(second).toMatchObject({ due: 0, notified: 0 });
    const order = await stored(world.store, "ord_offlive");
    expect(order.status).toBe("ISSUED");
    expect(order.renewal?.expiryNotices).toEqual([30]);
    expect(world.workflow.started).toEqual([]);
    expect(world.mailer.sent.map((mail) => mail.subject)).toEqual([
      "Certificate expiring in 19 days: shop.example.com",
    ]);
    expect(world.mailer.sent[0]?.text).toContain("automatic renewal is off for this order");
  });

  it("marks an order whose renewals failed until its certificate ended EXPIRED, saying why", async () => {
    // Prepare
    const world = runWorld();
    await seed(
      world.store,
      issuedRecord("ord_failedout", {
        certificate: ENDED,
        renewal: {
          attempts: 3,
          lastFailure: {
            at: "2027-04-29T00:00:00.000Z",
            code: "VALIDATION_TIMED_OUT",
            message: "Not published in time.",
          },
        },
      }),
    );

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, expired: 1 });
    expect((await stored(world.store, "ord_failedout")).status).toBe("EXPIRED");
    expect(world.mailer.sent[0]?.text).toContain("The last renewal failed: Not published in time.");
    expect(world.workflow.started).toEqual([]);
  });

  it("leaves an ended order whose renewal is still running ISSUED", async () => {
    // Prepare
    const world = runWorld();
    await seed(
      world.store,
      issuedRecord("ord_late", { certificate: ENDED, renewal: inFlight("ord_laterenewal") }),
    );

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, running: 0, expired: 0, skipped: 1 });
    expect((await stored(world.store, "ord_late")).status).toBe("ISSUED");
    expect(world.mailer.sent).toEqual([]);
  });

  it("does not double a running renewal: it is made sure to run", async () => {
    // Prepare: an earlier run claimed the order and wrote its renewal.
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_running"));
    await world.run();
    const claimed = await stored(world.store, "ord_running");

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, running: 1, expired: 0, skipped: 0 });
    expect(await stored(world.store, "ord_running")).toEqual(claimed);
    expect(claimed.renewal?.attempts).toBe(1);
    expect(world.workflow.started.map((execution) => execution.name)).toEqual([
      `${renewalIdOf("ord_running")}-1`,
    ]);
    expect(world.workflow.asked).toEqual([
      `${renewalIdOf("ord_running")}-1`,
      `${renewalIdOf("ord_running")}-1`,
    ]);
  });

  it("renews and expires once however many runs race", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_raced"));
    await seed(world.store, issuedRecord("ord_raceoff", { autoRenew: false, certificate: ENDED }));

    // Act
    const runs = await Promise.all([world.run(), world.run(), world.run()]);

    // Assess
    const total = (key: "started" | "running" | "expired") =>
      runs.reduce((sum, counts) => sum + counts[key], 0);
    expect(total("started")).toBe(1);
    expect(total("started") + total("running")).toBe(3);
    expect(total("expired")).toBe(1);
    expect(world.mailer.sent).toHaveLength(1);
    expect((await stored(world.store, "ord_raceoff")).status).toBe("EXPIRED");
    expect(
      (await world.store.history("ord_raceoff")).filter((event) => event.status === "EXPIRED"),
    ).toHaveLength(1);
  });

  it("does not expire an order the index shows ended when it was renewed since", async () => {
    // Prepare: the index answers an older copy (a secondary index is read eventually
    // consistent); the order's renewal issued a new certificate meanwhile.
    const renewed: OrderRecord = issuedRecord("ord_renewedsince", {
      certificate: { ...RENEWED_CERTIFICATE, renewAt: "2027-07-15T00:00:00.000Z" },
      certificates: [
        lineageEntry(RENEWED_CERTIFICATE, "ord_itsrenewal", "0a01"),
        lineageEntry(ENDED, "ord_renewedsince"),
      ],
      renewal: { attempts: 0 },
    });
    const asIndexed = issuedRecord("ord_renewedsince", { certificate: ENDED });
    const world = runWorld();
    const stale: OrderStore = {
      ...world.store,
      dueForRenewal: async () => [asIndexed],
    };
    const staleWorld = runWorld({ store: stale });
    await seed(world.store, renewed);

    // Act
    const counts = await staleWorld.run();

    // Assess
    expect(counts.expired).toBe(0);
    expect((await stored(world.store, "ord_renewedsince")).status).toBe("ISSUED");
    expect(staleWorld.mailer.sent).toEqual([]);
  });

  it("takes at most `limit` due orders, the longest due first", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_first"));
    await seed(
      world.store,
      issuedRecord("ord_second", {
        certificate: { ...FIRST_CERTIFICATE, renewAt: "2027-04-28T00:00:00.000Z" },
      }),
    );

    // Act
    const counts = await world.run(1);

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 1 });
    expect((await stored(world.store, "ord_first")).renewal?.inFlight).toBeDefined();
    expect((await stored(world.store, "ord_second")).renewal).toBeUndefined();
  });

  it("counts a due order whose renewal is refused as skipped", async () => {
    // Prepare: the index lists an order that left ISSUED since.
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_gone", { status: "REVOKED" }));
    const listing: OrderStore = {
      ...world.store,
      dueForRenewal: async () => [issuedRecord("ord_gone")],
    };
    const listed = runWorld({ store: listing });

    // Act
    const counts = await listed.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, running: 0, expired: 0, skipped: 1 });
    expect((await stored(world.store, "ord_gone")).status).toBe("REVOKED");
  });
});
