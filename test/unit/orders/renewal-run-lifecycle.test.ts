import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import type { CertificateSummary } from "../../../functions/domain/order-record.ts";
import { runRenewals } from "../../../functions/orders/renewal-run.ts";
import { renewalOrderId } from "../../../functions/orders/renewals.ts";
import type { CaDirectory, RenewalWindow } from "../../../functions/ports/ca-directory.ts";
import { CaUnavailable } from "../../../functions/ports/certificate-authority.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  renewalWorld,
  seed,
  stored,
} from "../../support/renewal-fixtures.ts";

const NOT_YET_DUE: CertificateSummary = {
  ...FIRST_CERTIFICATE,
  renewAt: "2027-05-10T00:00:00.000Z",
  renewalWindow: {
    certId: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
    start: "2027-05-08T00:00:00.000Z",
    end: "2027-05-12T00:00:00.000Z",
    nextFetchAt: "2027-04-30T18:00:00.000Z",
  },
};

/** A CA directory that answers the window a test sets, and records the CertIDs asked for. */
function windowsAnswering(window: RenewalWindow | undefined) {
  const asked: string[] = [];
  const directory: CaDirectory = {
    profiles: async () => ({}),
    renewalWindow: async (certId) => {
      asked.push(certId);
      return window;
    },
  };
  return { asked, directory };
}

function runWorld(caDirectory?: CaDirectory) {
  const world = renewalWorld();
  const mailer = createMemoryMailer();
  return {
    ...world,
    mailer,
    run: () => runRenewals({ ...world.deps, mailer, caDirectory, random: () => 0.5 }, RENEWAL_NOW),
  };
}

describe("runRenewals: the CA's renewal windows", () => {
  it("renews at once, replacing the certificate, when the CA moves the window into the past", async () => {
    // Prepare
    const ca = windowsAnswering({
      start: new Date("2027-04-20T00:00:00.000Z"),
      end: new Date("2027-04-21T00:00:00.000Z"),
      explanationUrl: "https://ca.example/incident/42",
      retryAfterSeconds: 3600,
    });
    const world = runWorld(ca.directory);
    await seed(world.store, issuedRecord("ord_ari", { certificate: NOT_YET_DUE }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, windowsRefreshed: 1, started: 1 });
    expect(ca.asked).toEqual([NOT_YET_DUE.renewalWindow?.certId]);
    const order = await stored(world.store, "ord_ari");
    expect(order.certificate?.renewAt).toBe(RENEWAL_NOW.toISOString());
    expect(order.certificate?.renewalWindow).toEqual({
      certId: NOT_YET_DUE.renewalWindow?.certId,
      start: "2027-04-20T00:00:00.000Z",
      end: "2027-04-21T00:00:00.000Z",
      explanationUrl: "https://ca.example/incident/42",
      nextFetchAt: "2027-05-01T01:00:00.000Z",
    });
    const renewal = await stored(world.store, renewalOrderId("ord_ari", "0a01", 0));
    expect(renewal.replaces).toBe(NOT_YET_DUE.renewalWindow?.certId);
  });

  it("keeps the renewal time drawn before when the window did not move, and asks again later", async () => {
    // Prepare
    const ca = windowsAnswering({
      start: new Date("2027-05-08T00:00:00.000Z"),
      end: new Date("2027-05-12T00:00:00.000Z"),
    });
    const world = runWorld(ca.directory);
    await seed(world.store, issuedRecord("ord_same", { certificate: NOT_YET_DUE }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, windowsRefreshed: 1, started: 0, skipped: 1 });
    const order = await stored(world.store, "ord_same");
    expect(order.certificate?.renewAt).toBe(NOT_YET_DUE.renewAt);
    expect(order.certificate?.renewalWindow?.nextFetchAt).toBe("2027-05-01T06:00:00.000Z");
    expect(world.workflow.started).toEqual([]);
  });

  it("keeps the renewal time and stops asking when the CA stops offering windows", async () => {
    // Prepare
    const world = runWorld(windowsAnswering(undefined).directory);
    await seed(world.store, issuedRecord("ord_noari", { certificate: NOT_YET_DUE }));

    // Act
    await world.run();

    // Assess
    const order = await stored(world.store, "ord_noari");
    expect(order.certificate?.renewAt).toBe(NOT_YET_DUE.renewAt);
    expect(order.certificate?.renewalWindow).toBeUndefined();
  });

  it("asks again in an hour when the CA cannot be reached, keeping the renewal time", async () => {
    // Prepare
    const unreachable: CaDirectory = {
      profiles: async () => ({}),
      renewalWindow: async () => {
        throw new CaUnavailable("connect ECONNREFUSED");
      },
    };
    const world = runWorld(unreachable);
    await seed(world.store, issuedRecord("ord_down", { certificate: NOT_YET_DUE }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, failed: 0, started: 0 });
    const order = await stored(world.store, "ord_down");
    expect(order.certificate?.renewAt).toBe(NOT_YET_DUE.renewAt);
    expect(order.certificate?.renewalWindow).toMatchObject({
      start: NOT_YET_DUE.renewalWindow?.start,
      nextFetchAt: "2027-05-01T01:00:00.000Z",
    });
  });
});

describe("runRenewals: plans", () => {
  it("renews within a plan, the new certificate ending with the plan", async () => {
    // Prepare: the plan ends 30 days from now, after the current certificate.
    const world = runWorld();
    const planEndsAt = "2027-05-31T00:00:00.000Z";
    await seed(world.store, issuedRecord("ord_plan", { planMonths: 12, planEndsAt }));

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ started: 1 });
    const renewal = await stored(world.store, renewalOrderId("ord_plan", "0a01", 0));
    expect(renewal.validityDays).toBe(30);
  });

  it("does not renew a certificate that reaches the plan's end, and tells the customer", async () => {
    // Prepare
    const world = runWorld();
    await seed(
      world.store,
      issuedRecord("ord_planend", { planMonths: 12, planEndsAt: FIRST_CERTIFICATE.notAfter }),
    );

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 0, notified: 1 });
    expect(world.workflow.started).toEqual([]);
    expect(world.mailer.sent[0]?.subject).toBe("Certificate expiring in 19 days: shop.example.com");
    expect(world.mailer.sent[0]?.text).toContain(
      `the order's plan ends at ${FIRST_CERTIFICATE.notAfter}`,
    );
    expect(world.mailer.sent[0]?.text).toContain("Place a new order");
  });
});

describe("runRenewals: failing renewals", () => {
  it("tries again and tells the customer the certificate ends while renewals fail", async () => {
    // Prepare
    const world = runWorld();
    await seed(
      world.store,
      issuedRecord("ord_failing", {
        renewal: {
          attempts: 1,
          lastFailure: {
            at: "2027-04-28T00:00:00.000Z",
            code: "DNS_SERVFAIL",
            message: "No answer.",
          },
        },
      }),
    );

    // Act
    const counts = await world.run();

    // Assess
    expect(counts).toMatchObject({ due: 1, started: 1, notified: 1 });
    expect(world.mailer.sent[0]?.text).toContain(
      "its renewal is failing (DNS_SERVFAIL: No answer.)",
    );
    expect(world.mailer.sent[0]?.text).toContain("Fix the cause above");
    expect((await stored(world.store, "ord_failing")).renewal?.expiryNotices).toEqual([30]);
  });
});

describe("runRenewals: notices and stuck renewals", () => {
  it("mails a notice once when two runs race", async () => {
    // Prepare
    const world = runWorld();
    await seed(world.store, issuedRecord("ord_race", { autoRenew: false }));

    // Act
    const counts = await Promise.all([world.run(), world.run()]);

    // Assess
    expect(counts.map((count) => count.notified).sort()).toEqual([0, 1]);
    expect(world.mailer.sent).toHaveLength(1);
    expect((await stored(world.store, "ord_race")).renewal).toEqual({ expiryNotices: [30] });
  });

  it("mails again a notice whose run stopped after claiming it", async () => {
    // Prepare: a claim from an hour ago, never recorded as mailed.
    const world = runWorld();
    await seed(
      world.store,
      issuedRecord("ord_claimed", {
        autoRenew: false,
        renewal: { expiryNoticeClaim: { days: 30, at: "2027-04-30T23:00:00.000Z" } },
      }),
    );

    // Act
    const counts = await world.run();

    // Assess
    expect(counts.notified).toBe(1);
    expect((await stored(world.store, "ord_claimed")).renewal).toEqual({ expiryNotices: [30] });
  });

  it("settles a renewal whose order ended without reporting back, and renews again", async () => {
    // Prepare: the renewal failed, but its execution never recorded it on the order.
    const world = runWorld();
    const stuckId = renewalOrderId("ord_stuck", "0a01", 0);
    await seed(
      world.store,
      issuedRecord("ord_stuck", {
        renewal: {
          attempts: 1,
          inFlight: {
            orderId: stuckId,
            startedAt: "2027-04-25T00:00:00.000Z",
            trigger: "scheduled",
            rekey: false,
          },
        },
      }),
    );
    await seed(
      world.store,
      issuedRecord(stuckId, {
        status: "FAILED",
        renewalOf: "ord_stuck",
        certificate: undefined,
        failure: { code: "CA_UNAVAILABLE", message: "The CA did not answer." },
      }),
    );

    // Act
    const counts = await world.run();

    // Assess
    const order = await stored(world.store, "ord_stuck");
    expect(order.renewal?.lastFailure?.code).toBe("CA_UNAVAILABLE");
    expect(order.renewal?.inFlight).toBeUndefined();
    expect(counts).toMatchObject({ started: 0, notified: 1 });
  });
});
