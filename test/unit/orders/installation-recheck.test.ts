import { beforeAll, describe, expect, it } from "vitest";
import type { MemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import type { AllDependencies } from "../../../functions/composition/needs.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type {
  CertificateFacts,
  InstallationRecord,
} from "../../../functions/domain/installation-check.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { webhookEventTypeOf } from "../../../functions/domain/webhook-rules.ts";
import {
  recheckInstallation,
  recordRenewalInstallation,
} from "../../../functions/orders/installation-recheck.ts";
import { runRenewals } from "../../../functions/orders/renewal-run.ts";
import type { InstallationChecker } from "../../../functions/ports/installation-checker.ts";
import {
  factsOf,
  seedIssuedOrder,
  testHierarchy,
  testLeaf,
  WHILE_VALID,
} from "../../support/issued-order.ts";
import { routeTestDependencies } from "../../support/route-calls.ts";

const SITE = "shop.example.com";
const ORDER = "ord_renewed1";
const RENEWAL = "ord_renewal1";
/** When the grace period after the renewal ended. */
const DUE = new Date(WHILE_VALID.getTime() - 60_000);

let kit: {
  intermediatePem: string;
  intermediate: CertificateFacts;
  old: { pem: string; facts: CertificateFacts };
  renewed: { pem: string; facts: CertificateFacts };
};

beforeAll(async () => {
  const { intermediate } = await testHierarchy();
  const old = await testLeaf(intermediate, [SITE]);
  const renewed = await testLeaf(intermediate, [SITE]);
  kit = {
    intermediatePem: intermediate.certificatePem,
    intermediate: factsOf(intermediate.certificatePem),
    old: { pem: old.certificatePem, facts: factsOf(old.certificatePem) },
    renewed: { pem: renewed.certificatePem, facts: factsOf(renewed.certificatePem) },
  };
});

/** A checker serving `served` (leaf first) at every host, counting the connections. */
function serving(served: () => readonly CertificateFacts[]) {
  const hosts: string[] = [];
  const checker: InstallationChecker = {
    async observe(host) {
      hosts.push(host);
      return { ok: true, served: served() };
    },
  };
  return { checker, hosts };
}

const summaryOf = (facts: CertificateFacts) => ({
  serialNumber: facts.serialNumber,
  notBefore: facts.notBefore,
  notAfter: facts.notAfter,
  sha256Fingerprint: facts.sha256Fingerprint,
});

/**
 * ORDER, renewed by RENEWAL: its current certificate is the renewed one (held by RENEWAL), its
 * first the old one; `overrides` change ORDER's record.
 */
async function renewedOrder(checker: InstallationChecker, overrides: Partial<OrderRecord> = {}) {
  const deps = routeTestDependencies(fixedClock(WHILE_VALID), { installationChecker: checker });
  await seedIssuedOrder(deps, {
    orderId: RENEWAL,
    names: [SITE],
    certificatePem: kit.renewed.pem,
    chainPems: [kit.intermediatePem],
    overrides: { renewalOf: ORDER, installationCheck: true },
  });
  await seedIssuedOrder(deps, {
    orderId: ORDER,
    names: [SITE],
    certificatePem: kit.old.pem,
    chainPems: [kit.intermediatePem],
    overrides: {
      installationCheck: true,
      certificate: { ...summaryOf(kit.renewed.facts), renewAt: kit.renewed.facts.notAfter },
      certificates: [
        { ...summaryOf(kit.renewed.facts), heldBy: RENEWAL, replaces: kit.old.facts.serialNumber },
        { ...summaryOf(kit.old.facts), heldBy: ORDER },
      ],
      ...overrides,
    },
  });
  return deps as AllDependencies & { readonly mailer: MemoryMailer };
}

async function stored(deps: AllDependencies, orderId = ORDER): Promise<OrderRecord> {
  const order = await deps.store.get(orderId);
  if (order === undefined) throw new Error(`${orderId} missing`);
  return order;
}

const recheck = (deps: AllDependencies) =>
  recheckInstallation(
    { ...deps, installationChecker: deps.installationChecker as InstallationChecker },
    ORDER,
    WHILE_VALID,
  );

const historyOf = async (deps: AllDependencies) =>
  (await deps.store.history(ORDER)).filter((event) => event.type !== "note");

describe("recheckInstallation", () => {
  it("mails the customer and records an installation_stale event when the old certificate is still served", async () => {
    // Prepare
    const { checker, hosts } = serving(() => [kit.old.facts, kit.intermediate]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });

    // Act
    const outcome = await recheck(deps);

    // Assess
    expect(outcome).toMatchObject({ kind: "stale", names: [SITE] });
    expect(hosts).toEqual([SITE]);
    const order = await stored(deps);
    expect(order.installationRecheckAt).toBeUndefined();
    expect(order.installation).toMatchObject({
      trigger: "recheck",
      checkedAt: WHILE_VALID.toISOString(),
      certificateSerial: kit.renewed.facts.serialNumber,
      results: [
        { domain: SITE, finding: "OLD_CERTIFICATE", servedSerial: kit.old.facts.serialNumber },
      ],
    });
    expect(deps.mailer.sent).toHaveLength(1);
    const [mail] = deps.mailer.sent;
    expect(mail?.to).toEqual(["ada@example.com"]);
    expect(mail?.subject).toBe(`Renewed, but ${SITE} still serves the old certificate`);
    expect(mail?.text).toContain(
      `${SITE}: serves serial ${kit.old.facts.serialNumber}, which ends at ${kit.old.facts.notAfter}; it should serve ${kit.renewed.facts.serialNumber}.`,
    );
    expect(mail?.text).toContain(`/v1/orders/${ORDER}/certificate?format=nginx`);
    const events = await historyOf(deps);
    expect(events.map((event) => event.type)).toEqual([
      "installation",
      "installation_stale",
      "mail",
    ]);
    expect(events[1]?.message).toBe(
      `Renewed, but ${SITE} still serves the old certificate (${SITE} serves ${kit.old.facts.serialNumber}; the current one is ${kit.renewed.facts.serialNumber}). Install the new certificate and reload the server.`,
    );
    expect(webhookEventTypeOf(events[1]?.type ?? "")).toBe("order.installation_stale");
    expect(events[2]?.message).toBe("Installation notice mailed to ada@example.com.");
  });

  it("records the check and mails nothing once the new certificate is served", async () => {
    // Prepare
    const { checker } = serving(() => [kit.renewed.facts, kit.intermediate]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });

    // Act
    const outcome = await recheck(deps);

    // Assess
    expect(outcome.kind).toBe("installed");
    const order = await stored(deps);
    expect(order.installationRecheckAt).toBeUndefined();
    expect(order.installation?.results[0]?.finding).toBe("OK");
    expect(deps.mailer.sent).toEqual([]);
    expect((await historyOf(deps)).map((event) => event.message)).toEqual([
      `Installation check at the end of the renewal's grace period: every name serves certificate ${kit.renewed.facts.serialNumber} with its full chain.`,
    ]);
  });

  it("does it once when two runs race: one records and mails, the other finds it taken", async () => {
    // Prepare
    const { checker, hosts } = serving(() => [kit.old.facts, kit.intermediate]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });

    // Act
    const outcomes = await Promise.all([recheck(deps), recheck(deps)]);

    // Assess
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(["stale", "taken"]);
    expect(hosts).toEqual([SITE, SITE]);
    expect(deps.mailer.sent).toHaveLength(1);
    const types = (await historyOf(deps)).map((event) => event.type);
    expect(types).toEqual(["installation", "installation_stale", "mail"]);
    expect((await stored(deps)).installationRecheckAt).toBeUndefined();
  });

  it("leaves an order alone before its recheck is due, or when it has none", async () => {
    // Prepare
    const { checker, hosts } = serving(() => [kit.old.facts]);
    const later = new Date(WHILE_VALID.getTime() + 1_000).toISOString();
    const deps = await renewedOrder(checker, { installationRecheckAt: later });

    // Act
    const early = await recheck(deps);
    await deps.store.update(await stored(deps), { installationRecheckAt: undefined });
    const none = await recheck(deps);

    // Assess
    expect(early.kind).toBe("not-due");
    expect(none.kind).toBe("not-due");
    expect(hosts).toEqual([]);
    expect(deps.mailer.sent).toEqual([]);
  });

  it("puts the recheck back, due at once, when the mail cannot be sent", async () => {
    // Prepare
    const { checker } = serving(() => [kit.old.facts, kit.intermediate]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });
    const failing = {
      ...deps,
      mailer: {
        send: async () => {
          throw new Error("SES refused");
        },
      },
    };

    // Act
    const attempt = recheckInstallation(
      { ...failing, installationChecker: checker },
      ORDER,
      WHILE_VALID,
    );

    // Assess
    await expect(attempt).rejects.toThrow("SES refused");
    expect((await stored(deps)).installationRecheckAt).toBe(WHILE_VALID.toISOString());
    const again = await recheck(deps);
    expect(again.kind).toBe("stale");
    expect(deps.mailer.sent).toHaveLength(1);
  });
});

describe("recordRenewalInstallation", () => {
  const record = (finding: "OK" | "OLD_CERTIFICATE"): InstallationRecord => ({
    checkedAt: WHILE_VALID.toISOString(),
    trigger: "issuance",
    certificateSerial: kit.renewed.facts.serialNumber,
    results: [
      {
        domain: SITE,
        host: SITE,
        ok: finding === "OK",
        finding,
        detail: "…",
        servedSerial: (finding === "OK" ? kit.renewed : kit.old).facts.serialNumber,
      },
    ],
  });
  const grace = { installationGraceSeconds: 3 * 86_400 };

  it("records a renewal's check on the order it renewed, due again after the grace when an old certificate is served", async () => {
    // Prepare
    const deps = await renewedOrder(serving(() => []).checker);
    const renewal = await stored(deps, RENEWAL);

    // Act
    await recordRenewalInstallation(
      { ...deps, settings: grace },
      renewal,
      record("OLD_CERTIFICATE"),
    );

    // Assess
    const order = await stored(deps);
    const recheckAt = new Date(WHILE_VALID.getTime() + 3 * 86_400_000).toISOString();
    expect(order.installationRecheckAt).toBe(recheckAt);
    expect(order.installation).toMatchObject({
      trigger: "renewal",
      results: [{ finding: "OLD_CERTIFICATE" }],
    });
    expect((await historyOf(deps)).map((event) => event.message)).toEqual([
      `Installation check after renewal: ${SITE} OLD_CERTIFICATE. The service looks again at ${recheckAt} and mails you if an old certificate is still served then.`,
    ]);
  });

  it("clears an earlier recheck when the renewal's check finds the new certificate served", async () => {
    // Prepare
    const deps = await renewedOrder(serving(() => []).checker, {
      installationRecheckAt: DUE.toISOString(),
    });
    const renewal = await stored(deps, RENEWAL);

    // Act
    await recordRenewalInstallation({ ...deps, settings: grace }, renewal, record("OK"));

    // Assess
    const order = await stored(deps);
    expect(order.installationRecheckAt).toBeUndefined();
    expect(order.installation?.results[0]?.finding).toBe("OK");
  });

  it("leaves the order alone when it holds another certificate by now, and ignores orders that are not renewals", async () => {
    // Prepare
    const deps = await renewedOrder(serving(() => []).checker);
    const renewal = await stored(deps, RENEWAL);
    const elsewhere = { ...record("OLD_CERTIFICATE"), certificateSerial: "0f" };

    // Act
    await recordRenewalInstallation({ ...deps, settings: grace }, renewal, elsewhere);
    const plain = await recordRenewalInstallation(
      { ...deps, settings: grace },
      await stored(deps),
      record("OLD_CERTIFICATE"),
    );

    // Assess
    expect(plain).toBeUndefined();
    const order = await stored(deps);
    expect(order.installationRecheckAt).toBeUndefined();
    expect(order.installation).toBeUndefined();
  });
});

describe("the renewal run", () => {
  it("rechecks an order whose grace period ended, once, and counts it", async () => {
    // Prepare
    const { checker, hosts } = serving(() => [kit.old.facts, kit.intermediate]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });
    const run = () =>
      runRenewals(
        { ...deps, installationChecks: { ...deps, installationChecker: checker } },
        WHILE_VALID,
      );

    // Act
    const first = await run();
    const second = await run();

    // Assess
    expect(first).toMatchObject({
      due: 1,
      installationRechecks: 1,
      started: 0,
      skipped: 0,
      failed: 0,
    });
    expect(second).toMatchObject({ due: 0, installationRechecks: 0 });
    expect(hosts).toEqual([SITE]);
    expect(deps.mailer.sent.map((mail) => mail.subject)).toEqual([
      `Renewed, but ${SITE} still serves the old certificate`,
    ]);
  });

  it("leaves the recheck for a run that can connect to the customer's servers", async () => {
    // Prepare
    const { checker, hosts } = serving(() => [kit.old.facts]);
    const deps = await renewedOrder(checker, { installationRecheckAt: DUE.toISOString() });

    // Act
    const counts = await runRenewals(deps, WHILE_VALID);

    // Assess
    expect(counts).toMatchObject({ due: 1, installationRechecks: 0, skipped: 1 });
    expect(hosts).toEqual([]);
    expect((await stored(deps)).installationRecheckAt).toBe(DUE.toISOString());
  });
});
