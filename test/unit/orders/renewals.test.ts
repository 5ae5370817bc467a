import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { organizationKey } from "../../../functions/orders/organization-approvals.ts";
import {
  promoteRenewal,
  recordRenewalFailure,
  renewalOrderId,
  startRenewal,
} from "../../../functions/orders/renewals.ts";
import { type OrderStore, VersionConflict } from "../../../functions/ports/order-store.ts";
import { ExecutionAlreadyExists } from "../../../functions/ports/workflow-engine.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
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

const ORDER = "ord_renewme";
const FIRST_RENEWAL = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 0);
const CSR = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
const DAY_MS = 86_400_000;

const ORGANIZATION = {
  name: "Example GmbH",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
} as const;

describe("renewalOrderId", () => {
  it("is the same for the same order, serial and attempt, and an order id the API accepts", () => {
    // Act
    const first = renewalOrderId(ORDER, "0a01", 0);
    const again = renewalOrderId(ORDER, "0a01", 0);

    // Assess
    expect(again).toBe(first);
    expect(first).toMatch(/^ord_[0-9a-f]{20}$/);
  });

  it.each([
    ["another order", "ord_other", "0a01", 0],
    ["another serial", ORDER, "0a02", 0],
    ["another attempt", ORDER, "0a01", 1],
  ])("differs for %s", (_case, orderId, serial, attempt) => {
    // Act
    const id = renewalOrderId(orderId, serial, attempt);

    // Assess
    expect(id).not.toBe(renewalOrderId(ORDER, "0a01", 0));
  });
});

describe("startRenewal", () => {
  it("claims the order, writes the renewal order and starts <renewalId>-1", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect(start).toEqual({ kind: "started", renewalId: FIRST_RENEWAL });
    const order = await stored(world.store, ORDER);
    expect(order.status).toBe("ISSUED");
    expect(order.certificate).toEqual(FIRST_CERTIFICATE);
    expect(order.renewal).toEqual({
      attempts: 1,
      inFlight: {
        orderId: FIRST_RENEWAL,
        startedAt: RENEWAL_NOW.toISOString(),
        trigger: "scheduled",
        rekey: false,
      },
    });
    const renewal = await stored(world.store, FIRST_RENEWAL);
    expect(renewal).toMatchObject({
      tenantId: "tenant-a",
      status: "SUBMITTED",
      version: 0,
      product: "DV",
      names: order.names,
      method: order.method,
      keySource: order.keySource,
      contact: order.contact,
      renewalOf: ORDER,
      rekey: false,
      executionName: `${FIRST_RENEWAL}-1`,
      validations: [],
      createdAt: RENEWAL_NOW.toISOString(),
    });
    expect(renewal.certificate).toBeUndefined();
    expect(world.workflow.started).toEqual([
      { name: `${FIRST_RENEWAL}-1`, input: { orderId: FIRST_RENEWAL } },
    ]);
    const history = await world.store.history(ORDER);
    expect(history.at(-1)?.message).toBe(
      `Renewal ${FIRST_RENEWAL} started (scheduled, same key and CSR) to replace certificate 0a01.`,
    );
    expect((await world.store.history(FIRST_RENEWAL))[0]).toMatchObject({
      type: "status",
      status: "SUBMITTED",
      message: `Renewal of order ${ORDER} (certificate 0a01).`,
    });
  });

  it.each(["SUBMITTED", "PENDING_VALIDATION", "FAILED", "REVOKED", "EXPIRED"] as const)(
    "refuses an order that is %s, and writes nothing",
    async (status) => {
      // Prepare
      const world = renewalWorld();
      await seed(world.store, issuedRecord(ORDER, { status }));

      // Act
      const start = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: false });

      // Assess
      expect(start).toMatchObject({ kind: "refused", code: "NOT_ISSUED" });
      expect((await stored(world.store, ORDER)).version).toBe(0);
      expect(await world.store.get(FIRST_RENEWAL)).toBeUndefined();
      expect(world.workflow.started).toEqual([]);
    },
  );

  it("refuses an ISSUED order without a certificate", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER, { certificate: undefined }));

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: false });

    // Assess
    expect(start).toMatchObject({ kind: "refused", code: "NOT_ISSUED" });
    expect(world.workflow.started).toEqual([]);
  });

  it("refuses to renew a renewal order: its order renews", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord("ord_arenewal", { renewalOf: ORDER }));

    // Act
    const start = await startRenewal(world.deps, "ord_arenewal", {
      trigger: "manual",
      rekey: false,
    });

    // Assess
    expect(start).toMatchObject({ kind: "refused", code: "IS_A_RENEWAL" });
    expect(start.kind === "refused" && start.reason).toContain(ORDER);
    expect((await stored(world.store, "ord_arenewal")).version).toBe(0);
    expect(world.workflow.started).toEqual([]);
  });

  it("refuses a new key for an order issued for the customer's own CSR", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER, { keySource: { kind: "uploaded-csr" } }));

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: true });

    // Assess
    expect(start).toMatchObject({ kind: "refused", code: "REKEY_NEEDS_CSR" });
    expect((await stored(world.store, ORDER)).version).toBe(0);
    expect(world.workflow.started).toEqual([]);
  });

  it("renews an uploaded-CSR order with its CSR, copied to the renewal", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER, { keySource: { kind: "uploaded-csr" } }));
    await world.vault.putCsr(ORDER, CSR);

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: false });

    // Assess
    expect(start.kind).toBe("started");
    expect(await world.vault.getCsr(FIRST_RENEWAL)).toBe(CSR);
    expect((await stored(world.store, FIRST_RENEWAL)).keySource).toEqual({ kind: "uploaded-csr" });
  });

  it("copies no CSR for a renewal with a new key, and marks the renewal rekey", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));
    await world.vault.putCsr(ORDER, CSR);

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: true });

    // Assess
    expect(start.kind).toBe("started");
    expect(await world.vault.getCsr(FIRST_RENEWAL)).toBeUndefined();
    const renewal = await stored(world.store, FIRST_RENEWAL);
    expect(renewal.rekey).toBe(true);
    expect(renewal.keySource).toEqual({ kind: "generated", keyType: "EC-P256" });
    expect((await stored(world.store, ORDER)).renewal?.inFlight).toMatchObject({
      trigger: "manual",
      rekey: true,
    });
    expect((await world.store.history(ORDER)).at(-1)?.message).toContain("(by hand, new key)");
  });

  it("copies the CSR of the certificate it renews: the renewal's after a renewal with a new key", async () => {
    // Prepare: the current certificate came from a renewal with a new key, held by that renewal.
    const world = renewalWorld();
    const rekeyed = "ord_rekeyed1";
    await seed(
      world.store,
      issuedRecord(ORDER, {
        certificate: RENEWED_CERTIFICATE,
        certificates: [
          lineageEntry(RENEWED_CERTIFICATE, rekeyed, FIRST_CERTIFICATE.serialNumber),
          lineageEntry(FIRST_CERTIFICATE, ORDER),
        ],
      }),
    );
    await world.vault.putCsr(ORDER, "the first key's CSR");
    await world.vault.putCsr(rekeyed, CSR);

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect(start.kind).toBe("started");
    const renewalId = renewalOrderId(ORDER, RENEWED_CERTIFICATE.serialNumber, 0);
    expect(await world.vault.getCsr(renewalId)).toBe(CSR);
  });

  it("lets exactly one of two racing callers start the renewal; the other finds it running", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));

    // Act
    const starts = await Promise.all([
      startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false }),
      startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false }),
    ]);

    // Assess
    expect(starts.map((start) => start.kind).sort()).toEqual(["running", "started"]);
    expect(starts.map((start) => start.kind !== "refused" && start.renewalId)).toEqual([
      FIRST_RENEWAL,
      FIRST_RENEWAL,
    ]);
    const order = await stored(world.store, ORDER);
    expect(order.renewal?.attempts).toBe(1);
    expect(order.version).toBe(1);
    expect(
      (await world.store.history(ORDER)).filter((event) => event.type === "renewal"),
    ).toHaveLength(1);
    expect((await stored(world.store, FIRST_RENEWAL)).version).toBe(0);
  });

  it("answers running for a renewal in flight, and does not claim again", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));
    await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Act
    const again = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: true });

    // Assess
    expect(again).toEqual({ kind: "running", renewalId: FIRST_RENEWAL });
    const order = await stored(world.store, ORDER);
    expect(order.renewal?.attempts).toBe(1);
    expect(order.renewal?.inFlight).toMatchObject({ trigger: "scheduled", rekey: false });
  });

  it("counts a renewal order a racing caller wrote first as written, and starts it", async () => {
    // Prepare: between this caller's read and its write, another caller writes the renewal.
    const world = renewalWorld();
    const racing: OrderStore = {
      ...world.store,
      async create(order, event, claim) {
        await world.store.create(order, event, claim);
        return world.store.create(order, event, claim);
      },
    };
    await seed(world.store, issuedRecord(ORDER));

    // Act
    const start = await startRenewal({ ...world.deps, store: racing }, ORDER, {
      trigger: "scheduled",
      rekey: false,
    });

    // Assess
    expect(start).toEqual({ kind: "started", renewalId: FIRST_RENEWAL });
    expect((await stored(world.store, FIRST_RENEWAL)).status).toBe("SUBMITTED");
    expect(world.workflow.started.map((execution) => execution.name)).toEqual([
      `${FIRST_RENEWAL}-1`,
    ]);
  });

  it("passes on a failed write of the renewal order that is not a race", async () => {
    // Prepare
    const world = renewalWorld();
    const broken: OrderStore = {
      ...world.store,
      create: async () => {
        throw new Error("table unavailable");
      },
    };
    await world.store.create(issuedRecord(ORDER), {
      at: RENEWAL_NOW.toISOString(),
      type: "note",
      message: "seeded",
    });

    // Act
    const start = startRenewal({ ...world.deps, store: broken }, ORDER, {
      trigger: "scheduled",
      rekey: false,
    });

    // Assess
    await expect(start).rejects.toThrow("table unavailable");
    expect(world.workflow.started).toEqual([]);
  });

  it("counts an execution that exists already as started", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));
    world.workflow.failNextWith(new ExecutionAlreadyExists(`${FIRST_RENEWAL}-1`));

    // Act
    const start = await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect(start).toEqual({ kind: "started", renewalId: FIRST_RENEWAL });
  });

  it("passes on another failure to start the execution", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));
    world.workflow.failNextWith(new Error("throttled"));

    // Act
    const start = startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    await expect(start).rejects.toThrow("throttled");
  });

  it("completes the renewal of a caller that stopped after the claim: written and started by the next", async () => {
    // Prepare: the first caller claims the order, then stops before writing the renewal.
    const world = renewalWorld();
    const stopping: OrderStore = {
      ...world.store,
      create: async () => {
        throw new Error("the caller stopped");
      },
    };
    await seed(world.store, issuedRecord(ORDER));
    await world.vault.putCsr(ORDER, CSR);
    await expect(
      startRenewal({ ...world.deps, store: stopping }, ORDER, {
        trigger: "scheduled",
        rekey: false,
      }),
    ).rejects.toThrow("the caller stopped");
    expect((await stored(world.store, ORDER)).renewal?.inFlight?.orderId).toBe(FIRST_RENEWAL);
    expect(await world.store.get(FIRST_RENEWAL)).toBeUndefined();

    // Act
    const next = await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect(next).toEqual({ kind: "running", renewalId: FIRST_RENEWAL });
    expect((await stored(world.store, FIRST_RENEWAL)).renewalOf).toBe(ORDER);
    expect(await world.vault.getCsr(FIRST_RENEWAL)).toBe(CSR);
    expect(world.workflow.started.map((execution) => execution.name)).toEqual([
      `${FIRST_RENEWAL}-1`,
    ]);
    expect((await stored(world.store, ORDER)).renewal?.attempts).toBe(1);
  });

  it("starts the execution of a caller that stopped after writing the renewal", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER));
    world.workflow.failNextWith(new Error("the caller stopped"));
    await expect(
      startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false }),
    ).rejects.toThrow("the caller stopped");
    const written = await stored(world.store, FIRST_RENEWAL);

    // Act
    const next = await startRenewal(world.deps, ORDER, { trigger: "manual", rekey: false });

    // Assess
    expect(next).toEqual({ kind: "running", renewalId: FIRST_RENEWAL });
    expect(await stored(world.store, FIRST_RENEWAL)).toEqual(written);
    expect(world.workflow.started.map((execution) => execution.name)).toEqual([
      `${FIRST_RENEWAL}-1`,
    ]);
  });

  it("caps the renewal's validity at today's maximum, and keeps a shorter one", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(world.store, issuedRecord(ORDER, { validityDays: 200 }));
    await seed(world.store, issuedRecord("ord_short", { validityDays: 30 }));

    // Act
    await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
    await startRenewal(world.deps, "ord_short", { trigger: "scheduled", rekey: false });

    // Assess
    expect((await stored(world.store, FIRST_RENEWAL)).validityDays).toBe(100);
    const short = renewalOrderId("ord_short", FIRST_CERTIFICATE.serialNumber, 0);
    expect((await stored(world.store, short)).validityDays).toBe(30);
  });

  it.each([
    [true, true],
    [undefined, undefined],
  ])("copies installationCheck %s to the renewal", async (asked, copied) => {
    // Prepare
    const world = renewalWorld();
    await seed(
      world.store,
      issuedRecord(ORDER, asked === undefined ? {} : { installationCheck: asked }),
    );

    // Act
    await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect((await stored(world.store, FIRST_RENEWAL)).installationCheck).toBe(copied);
  });

  it("copies the email approvers and the approver address", async () => {
    // Prepare
    const world = renewalWorld();
    await seed(
      world.store,
      issuedRecord(ORDER, {
        method: "email",
        approverEmail: "admin@shop.example.com",
        approvers: { "shop.example.com": "admin@shop.example.com" },
      }),
    );

    // Act
    await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    expect(await stored(world.store, FIRST_RENEWAL)).toMatchObject({
      method: "email",
      approverEmail: "admin@shop.example.com",
      approvers: { "shop.example.com": "admin@shop.example.com" },
    });
  });

  describe("of an OV/EV order", () => {
    const latestIssuance =
      RENEWAL_NOW.getTime() +
      (DEFAULT_WORKFLOW_SETTINGS.validationTimeoutSeconds +
        DEFAULT_WORKFLOW_SETTINGS.caDecisionTimeoutSeconds) *
        1000;
    const reviewDeadline = new Date(
      RENEWAL_NOW.getTime() + DEFAULT_WORKFLOW_SETTINGS.reviewTimeoutSeconds * 1000,
    ).toISOString();

    async function ovOrderApprovedUntil(reusableUntil: number | undefined) {
      const world = renewalWorld();
      await seed(
        world.store,
        issuedRecord(ORDER, {
          product: "OV",
          organization: ORGANIZATION,
          review: { status: "approved", deadline: "2027-02-08T00:00:00.000Z" },
        }),
      );
      if (reusableUntil !== undefined) {
        await world.store.recordApprovedOrganization("tenant-a", organizationKey(ORGANIZATION), {
          orderId: "ord_approvedorg",
          approvedAt: "2026-06-01T00:00:00.000Z",
          reusableUntil: new Date(reusableUntil).toISOString(),
        });
      }
      return world;
    }

    it("starts with the review reused when the approval holds at the latest issuance", async () => {
      // Prepare
      const world = await ovOrderApprovedUntil(latestIssuance + 60_000);

      // Act
      await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

      // Assess
      const renewal = await stored(world.store, FIRST_RENEWAL);
      expect(renewal.product).toBe("OV");
      expect(renewal.organization).toEqual(ORGANIZATION);
      expect(renewal.review).toMatchObject({
        status: "approved",
        reusedFrom: "ord_approvedorg",
        decidedAt: RENEWAL_NOW.toISOString(),
        deadline: reviewDeadline,
      });
    });

    it.each([
      ["ends before the latest issuance", latestIssuance - 60_000],
      ["is absent", undefined],
    ])("waits for the letter when the approval %s", async (_case, reusableUntil) => {
      // Prepare
      const world = await ovOrderApprovedUntil(reusableUntil);

      // Act
      await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

      // Assess
      expect((await stored(world.store, FIRST_RENEWAL)).review).toEqual({
        status: "awaiting-document",
        deadline: reviewDeadline,
      });
    });

    it("copies the EV details, and reuses only the approval of the same EV details", async () => {
      // Prepare
      const world = renewalWorld();
      const ev = {
        jurisdictionCountry: "DE",
        businessCategory: "Private Organization",
        registrationNumber: "HRB 1",
      };
      await seed(
        world.store,
        issuedRecord(ORDER, { product: "EV", organization: ORGANIZATION, ev }),
      );
      await world.store.recordApprovedOrganization("tenant-a", organizationKey(ORGANIZATION, ev), {
        orderId: "ord_approvedev",
        approvedAt: "2026-06-01T00:00:00.000Z",
        reusableUntil: "2028-01-01T00:00:00.000Z",
      });

      // Act
      await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

      // Assess
      const renewal = await stored(world.store, FIRST_RENEWAL);
      expect(renewal.ev).toEqual(ev);
      expect(renewal.review).toMatchObject({ status: "approved", reusedFrom: "ord_approvedev" });
    });

    it("gives a DV renewal no review", async () => {
      // Prepare
      const world = renewalWorld();
      await seed(world.store, issuedRecord(ORDER));

      // Act
      await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

      // Assess
      expect((await stored(world.store, FIRST_RENEWAL)).review).toBeUndefined();
    });
  });
});

/** The order with FIRST_RENEWAL in flight, and that renewal issued with RENEWED_CERTIFICATE. */
async function renewalIssued(orderOverrides: Partial<OrderRecord> = {}) {
  const world = renewalWorld();
  await seed(world.store, issuedRecord(ORDER));
  await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
  const order = await stored(world.store, ORDER);
  if (Object.keys(orderOverrides).length > 0) {
    await world.store.update(order, orderOverrides);
  }
  const submitted = await stored(world.store, FIRST_RENEWAL);
  const renewal = await world.store.update(submitted, {
    status: "ISSUED",
    certificate: RENEWED_CERTIFICATE,
  });
  return { ...world, renewal };
}

describe("promoteRenewal", () => {
  it("makes the renewal's certificate current, first in the lineage, and clears the renewal", async () => {
    // Prepare
    const world = await renewalIssued();
    const later = new Date(RENEWAL_NOW.getTime() + 3_600_000);

    // Act
    await promoteRenewal(world.store, world.renewal, later);

    // Assess
    const order = await stored(world.store, ORDER);
    expect(order.status).toBe("ISSUED");
    expect(order.certificate).toEqual(RENEWED_CERTIFICATE);
    expect(order.certificates).toEqual([
      {
        serialNumber: "0b02",
        notBefore: RENEWED_CERTIFICATE.notBefore,
        notAfter: RENEWED_CERTIFICATE.notAfter,
        sha256Fingerprint: "BB:02",
        heldBy: FIRST_RENEWAL,
        replaces: "0a01",
      },
      {
        serialNumber: "0a01",
        notBefore: FIRST_CERTIFICATE.notBefore,
        notAfter: FIRST_CERTIFICATE.notAfter,
        sha256Fingerprint: "AA:01",
        heldBy: ORDER,
      },
    ]);
    expect(order.renewal).toEqual({ attempts: 0 });
    expect((await world.store.history(ORDER)).at(-1)).toMatchObject({
      at: later.toISOString(),
      type: "renewal",
      message: `Renewed: certificate 0b02 (renewal ${FIRST_RENEWAL}) replaces 0a01; next renewal planned for ${RENEWED_CERTIFICATE.renewAt}.`,
    });
  });

  it("puts a second renewal's certificate in front of the lineage", async () => {
    // Prepare
    const world = await renewalIssued();
    await promoteRenewal(world.store, world.renewal, RENEWAL_NOW);
    world.clock.set(new Date("2027-07-16T00:00:00.000Z"));
    await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
    const secondId = renewalOrderId(ORDER, "0b02", 0);
    const third = { ...RENEWED_CERTIFICATE, serialNumber: "0c03", sha256Fingerprint: "CC:03" };
    const second = await world.store.update(await stored(world.store, secondId), {
      status: "ISSUED",
      certificate: third,
    });

    // Act
    await promoteRenewal(world.store, second, world.clock.now());

    // Assess
    const order = await stored(world.store, ORDER);
    expect(order.certificate?.serialNumber).toBe("0c03");
    expect(
      order.certificates?.map((entry) => [entry.serialNumber, entry.heldBy, entry.replaces]),
    ).toEqual([
      ["0c03", secondId, "0b02"],
      ["0b02", FIRST_RENEWAL, "0a01"],
      ["0a01", ORDER, undefined],
    ]);
  });

  it("changes nothing the second time", async () => {
    // Prepare
    const world = await renewalIssued();
    await promoteRenewal(world.store, world.renewal, RENEWAL_NOW);
    const once = await stored(world.store, ORDER);

    // Act
    await promoteRenewal(world.store, world.renewal, RENEWAL_NOW);

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(once);
  });

  it("changes nothing for a renewal that is not the one in flight", async () => {
    // Prepare
    const world = await renewalIssued();
    const before = await stored(world.store, ORDER);
    const stray = { ...world.renewal, orderId: "ord_stray" };

    // Act
    await promoteRenewal(world.store, stray, RENEWAL_NOW);

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(before);
  });

  it.each(["REVOKED", "EXPIRED"] as const)(
    "changes nothing for an order that is %s now",
    async (status) => {
      // Prepare
      const world = await renewalIssued({ status });
      const before = await stored(world.store, ORDER);

      // Act
      await promoteRenewal(world.store, world.renewal, RENEWAL_NOW);

      // Assess
      expect(await stored(world.store, ORDER)).toEqual(before);
    },
  );

  it("does nothing for an order that renews nothing, or a renewal without a certificate", async () => {
    // Prepare
    const world = await renewalIssued();
    const before = await stored(world.store, ORDER);

    // Act
    await promoteRenewal(world.store, { ...world.renewal, renewalOf: undefined }, RENEWAL_NOW);
    await promoteRenewal(world.store, { ...world.renewal, certificate: undefined }, RENEWAL_NOW);

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(before);
  });
});

/** The order with FIRST_RENEWAL in flight, and that renewal FAILED. */
async function renewalFailed(certificate = FIRST_CERTIFICATE) {
  const world = renewalWorld();
  await seed(world.store, issuedRecord(ORDER, { certificate }));
  await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });
  const renewalId = renewalOrderId(ORDER, certificate.serialNumber, 0);
  const renewal = await world.store.update(await stored(world.store, renewalId), {
    status: "FAILED",
    failure: { code: "VALIDATION_TIMED_OUT", message: "Not published in time." },
  });
  return { ...world, renewal, renewalId };
}

describe("recordRenewalFailure", () => {
  it("keeps the certificate, records the failure, clears the renewal and is due again for the next daily run (12 h)", async () => {
    // Prepare
    const world = await renewalFailed();

    // Act
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);

    // Assess
    const order = await stored(world.store, ORDER);
    expect(order.status).toBe("ISSUED");
    expect(order.certificate).toEqual({
      ...FIRST_CERTIFICATE,
      renewAt: new Date(RENEWAL_NOW.getTime() + DAY_MS / 2).toISOString(),
    });
    expect(order.renewal).toEqual({
      attempts: 1,
      lastFailure: {
        at: RENEWAL_NOW.toISOString(),
        code: "VALIDATION_TIMED_OUT",
        message: "Not published in time.",
      },
    });
    expect((await world.store.history(ORDER)).at(-1)?.message).toContain(
      `Renewal ${world.renewalId} failed (VALIDATION_TIMED_OUT: Not published in time.)`,
    );
  });

  it("keeps the expiry notices already mailed for the certificate", async () => {
    // Prepare
    const world = await renewalFailed();
    const order = await stored(world.store, ORDER);
    await world.store.update(order, {
      renewal: { ...order.renewal, expiryNotices: [30] },
    });

    // Act
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);

    // Assess
    expect((await stored(world.store, ORDER)).renewal?.expiryNotices).toEqual([30]);
  });

  it("moves the next try before the certificate ends when it ends within a day", async () => {
    // Prepare
    const endsSoon = {
      ...FIRST_CERTIFICATE,
      notAfter: new Date(RENEWAL_NOW.getTime() + 5 * 3_600_000).toISOString(),
    };
    const world = await renewalFailed(endsSoon);

    // Act
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);

    // Assess
    const renewAt = Date.parse((await stored(world.store, ORDER)).certificate?.renewAt ?? "");
    expect(renewAt).toBeGreaterThan(RENEWAL_NOW.getTime());
    expect(renewAt).toBeLessThan(Date.parse(endsSoon.notAfter));
  });

  it("records INTERNAL for a renewal that failed without saying why", async () => {
    // Prepare
    const world = await renewalFailed();

    // Act
    await recordRenewalFailure(world.store, { ...world.renewal, failure: undefined }, RENEWAL_NOW);

    // Assess
    expect((await stored(world.store, ORDER)).renewal?.lastFailure).toMatchObject({
      code: "INTERNAL",
    });
  });

  it("lets the next run start a new renewal with the next attempt number", async () => {
    // Prepare
    const world = await renewalFailed();
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);

    // Act
    const next = await startRenewal(world.deps, ORDER, { trigger: "scheduled", rekey: false });

    // Assess
    const secondId = renewalOrderId(ORDER, FIRST_CERTIFICATE.serialNumber, 1);
    expect(secondId).not.toBe(world.renewalId);
    expect(next).toEqual({ kind: "started", renewalId: secondId });
    expect((await stored(world.store, secondId)).status).toBe("SUBMITTED");
    expect((await stored(world.store, ORDER)).renewal?.attempts).toBe(2);
  });

  it("changes nothing for a renewal that is not the one in flight, nor twice", async () => {
    // Prepare
    const world = await renewalFailed();
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);
    const once = await stored(world.store, ORDER);

    // Act
    await recordRenewalFailure(world.store, world.renewal, RENEWAL_NOW);
    await recordRenewalFailure(
      world.store,
      { ...world.renewal, orderId: "ord_stray" },
      RENEWAL_NOW,
    );

    // Assess
    expect(await stored(world.store, ORDER)).toEqual(once);
  });
});

describe("the order store a renewal writes to", () => {
  it("refuses a second create of the same renewal with VersionConflict", async () => {
    // The "racing create counts as written" rule rests on this.
    const store = createMemoryOrderStore();
    await seed(store, issuedRecord("ord_twice"));
    await expect(seed(store, issuedRecord("ord_twice"))).rejects.toBeInstanceOf(VersionConflict);
  });
});
