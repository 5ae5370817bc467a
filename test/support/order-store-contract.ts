import { describe, expect, it } from "vitest";
import { InvalidListCursor } from "../../functions/adapters/aws/order-list-cursor.ts";
import { type Clock, fixedClock } from "../../functions/domain/clock.ts";
import type {
  CertificateSummary,
  OrderEvent,
  OrderRecord,
  OrderStatusName,
  ReviewStatus,
  ValidationRecord,
} from "../../functions/domain/order-record.ts";
import { renewalShard } from "../../functions/domain/renewal-shards.ts";
import {
  type IdempotencyClaim,
  type OrderStore,
  VersionConflict,
} from "../../functions/ports/order-store.ts";

/** Makes an empty store for one test; the clock is the store's only source of time. */
export type OrderStoreFactory = (clock: Clock) => OrderStore | Promise<OrderStore>;

const START = new Date("2026-11-02T10:00:00.000Z");

export function sampleOrder(overrides: Partial<OrderRecord> & { orderId: string }): OrderRecord {
  return {
    tenantId: "tenant-a",
    status: "SUBMITTED",
    version: 0,
    product: "DV",
    names: [{ ascii: "shop.example.com", display: "shop.example.com", wildcard: false }],
    method: "dns-txt",
    keySource: { kind: "generated", keyType: "EC-P256" },
    contact: { name: "Ada", email: "ada@example.com" },
    validityDays: 90,
    createdAt: START.toISOString(),
    updatedAt: START.toISOString(),
    validations: [],
    warnings: [],
    ...overrides,
  };
}

/** A name waiting for its dns-txt record, as PlaceOrderWithCa leaves it. */
export function pendingValidation(domain: string): ValidationRecord {
  return {
    domain,
    method: "dns-txt",
    status: "pending",
    instructions: {
      method: "dns-txt",
      recordType: "TXT",
      host: `_certflow-challenge.${domain}`,
      value: `value-for-${domain}`,
    },
  };
}

export const sampleEvent = (at: Date | string, message: string): OrderEvent => ({
  at: typeof at === "string" ? at : at.toISOString(),
  type: "note",
  message,
});

/** tenant-a's claim of idempotency key `key` for a request body hashed to `requestHash`. */
export function sampleClaim(key: string, requestHash: string): IdempotencyClaim {
  return { tenantId: "tenant-a", key, requestHash, expiresAt: "2026-11-03T10:00:00.000Z" };
}

function certificate(renewAt: string): CertificateSummary {
  return {
    serialNumber: "0A1B",
    notBefore: "2026-01-01T00:00:00.000Z",
    notAfter: "2027-12-31T00:00:00.000Z",
    sha256Fingerprint: "AB:CD",
    renewAt,
  };
}

async function mustGet(store: OrderStore, orderId: string): Promise<OrderRecord> {
  const order = await store.get(orderId);
  if (order === undefined) throw new Error(`order ${orderId} is missing`);
  return order;
}

async function allPages(
  store: OrderStore,
  tenantId: string,
  options: { status?: OrderStatusName; domain?: string; limit: number },
): Promise<OrderRecord[][]> {
  const pages: OrderRecord[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listByTenant(tenantId, { ...options, cursor });
    pages.push([...page.orders]);
    cursor = page.nextCursor;
    if (pages.length > 50) throw new Error("the listing does not end");
  } while (cursor !== undefined);
  return pages;
}

/**
 * The behaviour every OrderStore must have. Runs against the in-memory store (unit tests) and
 * the DynamoDB store on dynalite (integration tests), so the fake cannot drift from the real one.
 */
export function describeOrderStoreContract(name: string, newStore: OrderStoreFactory): void {
  const setUp = async () => {
    const clock = fixedClock(START);
    return { clock, store: await newStore(clock) };
  };

  describe(`${name}: the OrderStore contract`, () => {
    it("creates an order and reads it back as written, with its first history event", async () => {
      // Prepare
      const { store } = await setUp();
      const order = sampleOrder({
        orderId: "ord_create",
        organization: {
          name: "Ünïcode GmbH",
          locality: "Köln",
          state: "NRW",
          country: "DE",
        },
        approverEmail: undefined,
      });

      // Act
      const result = await store.create(order, sampleEvent(START, "Order submitted."));
      const stored = await mustGet(store, "ord_create");

      // Assess
      expect(result).toEqual({ created: true, order: { ...order, approverEmail: undefined } });
      expect(stored).toEqual(order);
      expect("approverEmail" in stored).toBe(false);
      expect(await store.get("ord_missing")).toBeUndefined();
      expect(await store.history("ord_create")).toEqual([sampleEvent(START, "Order submitted.")]);
      expect(await store.history("ord_missing")).toEqual([]);
    });

    it("never overwrites an existing order", async () => {
      // Prepare
      const { store } = await setUp();
      await store.create(sampleOrder({ orderId: "ord_twice" }), sampleEvent(START, "first"));

      // Act
      const second = await store
        .create(
          sampleOrder({ orderId: "ord_twice", status: "CANCELLED" }),
          sampleEvent(START, "second"),
        )
        .catch((error: unknown) => error);

      // Assess
      expect(second).toBeInstanceOf(VersionConflict);
      expect((await mustGet(store, "ord_twice")).status).toBe("SUBMITTED");
    });

    it("updates with the version read: sets, removes, bumps the version and stamps updatedAt", async () => {
      // Prepare
      const { store, clock } = await setUp();
      await store.create(
        sampleOrder({ orderId: "ord_update", waitToken: "token-1" }),
        sampleEvent(START, "submitted"),
      );
      clock.advance(60);

      // Act
      const first = await store.update(
        await mustGet(store, "ord_update"),
        {
          status: "PENDING_VALIDATION",
          waitToken: undefined,
          validationDeadline: "2026-11-03T10:00:00.000Z",
        },
        sampleEvent(clock.now(), "validating"),
      );
      const storedFirst = await mustGet(store, "ord_update");
      const second = await store.update(first, { updatedAt: "2026-11-02T12:00:00.000Z" });

      // Assess
      expect(first).toMatchObject({
        status: "PENDING_VALIDATION",
        version: 1,
        updatedAt: "2026-11-02T10:01:00.000Z",
        validationDeadline: "2026-11-03T10:00:00.000Z",
      });
      expect("waitToken" in first).toBe(false);
      expect(storedFirst).toEqual(first);
      expect(second).toMatchObject({ version: 2, updatedAt: "2026-11-02T12:00:00.000Z" });
      expect(await store.history("ord_update")).toEqual([
        sampleEvent(START, "submitted"),
        sampleEvent("2026-11-02T10:01:00.000Z", "validating"),
      ]);
    });

    it("refuses an update from a stale version, or of an order that does not exist", async () => {
      // Prepare
      const { store } = await setUp();
      await store.create(sampleOrder({ orderId: "ord_stale" }), sampleEvent(START, "submitted"));
      const read = await mustGet(store, "ord_stale");
      await store.update(read, { status: "PENDING_VALIDATION" });

      // Act
      const stale = await store
        .update(read, { status: "CANCELLED" })
        .catch((error: unknown) => error);
      const nowhere = await store
        .update(sampleOrder({ orderId: "ord_nowhere" }), { status: "CANCELLED" })
        .catch((error: unknown) => error);

      // Assess
      expect(stale).toBeInstanceOf(VersionConflict);
      expect(nowhere).toBeInstanceOf(VersionConflict);
      expect(await mustGet(store, "ord_stale")).toMatchObject({
        status: "PENDING_VALIDATION",
        version: 1,
      });
      expect(await store.get("ord_nowhere")).toBeUndefined();
    });

    it("lets exactly one of two concurrent updates from the same version win", async () => {
      // Prepare
      const { store } = await setUp();
      await store.create(sampleOrder({ orderId: "ord_race" }), sampleEvent(START, "submitted"));
      const read = await mustGet(store, "ord_race");

      // Act
      const outcomes = await Promise.allSettled([
        store.update(read, { status: "PENDING_VALIDATION" }, sampleEvent(START, "by one")),
        store.update(read, { status: "CANCELLED" }, sampleEvent(START, "by two")),
      ]);

      // Assess
      const won = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const lost = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(VersionConflict);
      const stored = await mustGet(store, "ord_race");
      expect(stored).toEqual(won[0]?.value);
      expect(stored.version).toBe(1);
      const winningMessage = stored.status === "CANCELLED" ? "by two" : "by one";
      expect((await store.history("ord_race")).map((event) => event.message)).toEqual([
        "submitted",
        winningMessage,
      ]);
    });

    it("answers a replayed idempotency key with the first order, and says when the body differs", async () => {
      // Prepare
      const { store, clock } = await setUp();
      const claim = sampleClaim("key-1", "hash-1");
      const submit = (orderId: string, claimed: IdempotencyClaim, tenantId = "tenant-a") =>
        store.create(
          sampleOrder({ orderId, tenantId }),
          sampleEvent(clock.now(), orderId),
          claimed,
        );

      // Act
      const first = await submit("ord_idem_1", claim);
      const replay = await submit("ord_idem_2", claim);
      const otherBody = await submit("ord_idem_3", { ...claim, requestHash: "hash-2" });
      const otherTenant = await submit(
        "ord_idem_4",
        { ...claim, tenantId: "tenant-b" },
        "tenant-b",
      );
      clock.set(new Date("2026-11-03T10:00:01.000Z"));
      const afterExpiry = await submit("ord_idem_5", {
        ...claim,
        expiresAt: "2026-11-04T10:00:00.000Z",
      });
      const replayOfNew = await submit("ord_idem_6", claim);

      // Assess
      expect(first.created).toBe(true);
      expect(replay).toEqual({
        created: false,
        existing: sampleOrder({ orderId: "ord_idem_1" }),
        sameRequest: true,
      });
      expect(await store.get("ord_idem_2")).toBeUndefined();
      expect((await store.history("ord_idem_1")).map((event) => event.message)).toEqual([
        "ord_idem_1",
      ]);
      expect(otherBody).toMatchObject({
        created: false,
        sameRequest: false,
        existing: { orderId: "ord_idem_1" },
      });
      expect(await store.get("ord_idem_3")).toBeUndefined();
      expect(otherTenant.created).toBe(true);
      expect(afterExpiry).toMatchObject({ created: true, order: { orderId: "ord_idem_5" } });
      expect(replayOfNew).toMatchObject({ created: false, existing: { orderId: "ord_idem_5" } });
    });

    it.each([
      ["a key holding #", ["tenant-a", "x#y"], ["tenant-a#x", "y"]],
      ["a tenant holding #", ["tenant-a#x", "y"], ["tenant-a", "x#y"]],
    ])(
      "keeps idempotency keys of tenants apart for %s",
      async (_case, [tenantA, keyA], [tenantB, keyB]) => {
        // Prepare
        const { store } = await setUp();
        const claimOf = (tenantId = "", key = ""): IdempotencyClaim => ({
          ...sampleClaim(key, "same-body"),
          tenantId,
        });
        await store.create(
          sampleOrder({ orderId: "ord_first_tenant", tenantId: tenantA }),
          sampleEvent(START, "submitted"),
          claimOf(tenantA, keyA),
        );

        // Act
        const second = await store.create(
          sampleOrder({ orderId: "ord_second_tenant", tenantId: tenantB }),
          sampleEvent(START, "submitted"),
          claimOf(tenantB, keyB),
        );

        // Assess
        expect(second).toMatchObject({ created: true, order: { orderId: "ord_second_tenant" } });
        expect(await store.get("ord_second_tenant")).toMatchObject({ tenantId: tenantB });
        const replay = await store.create(
          sampleOrder({ orderId: "ord_replay", tenantId: tenantA }),
          sampleEvent(START, "submitted"),
          claimOf(tenantA, keyA),
        );
        expect(replay).toMatchObject({ created: false, existing: { orderId: "ord_first_tenant" } });
      },
    );

    it("makes one order of two concurrent submissions with the same idempotency key", async () => {
      // Prepare
      const { store } = await setUp();
      const claim = sampleClaim("key-race", "hash-race");

      // Act
      const results = await Promise.all(
        ["ord_same_1", "ord_same_2"].map((orderId) =>
          store.create(sampleOrder({ orderId }), sampleEvent(START, "submitted"), claim),
        ),
      );

      // Assess
      const created = results.filter((result) => result.created);
      const replayed = results.filter((result) => !result.created);
      expect(created).toHaveLength(1);
      expect(replayed).toHaveLength(1);
      const orderId = created[0]?.created === true ? created[0].order.orderId : "none";
      expect(replayed[0]).toMatchObject({ sameRequest: true, existing: { orderId } });
      const listed = await store.listByTenant("tenant-a", { limit: 10 });
      expect(listed.orders.map((order) => order.orderId)).toEqual([orderId]);
      expect(await store.history(orderId)).toHaveLength(1);
    });

    it("pages through 25 orders newest first, 10 at a time, without gaps or repeats", async () => {
      // Prepare
      const { store } = await setUp();
      const ids: string[] = [];
      for (let index = 0; index < 25; index++) {
        const orderId = `ord_page_${String(index).padStart(2, "0")}`;
        ids.push(orderId);
        await store.create(
          sampleOrder({
            orderId,
            tenantId: "tenant-pages",
            createdAt: new Date(START.getTime() + index * 1000).toISOString(),
          }),
          sampleEvent(START, "submitted"),
        );
      }
      await store.create(
        sampleOrder({ orderId: "ord_page_other", tenantId: "tenant-other" }),
        sampleEvent(START, "submitted"),
      );

      // Act
      const pages = await allPages(store, "tenant-pages", { limit: 10 });
      const nobodys = await store.listByTenant("tenant-nobody", { limit: 10 });

      // Assess
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat().map((order) => order.orderId)).toEqual([...ids].reverse());
      expect(nobodys.orders).toEqual([]);
    });

    it("filters a listing by status across pages", async () => {
      // Prepare
      const { store } = await setUp();
      const cancelled: string[] = [];
      for (let index = 0; index < 25; index++) {
        const orderId = `ord_filter_${String(index).padStart(2, "0")}`;
        const status: OrderStatusName = index % 3 === 0 ? "CANCELLED" : "SUBMITTED";
        if (status === "CANCELLED") cancelled.push(orderId);
        await store.create(
          sampleOrder({
            orderId,
            tenantId: "tenant-filter",
            status,
            createdAt: new Date(START.getTime() + index * 1000).toISOString(),
          }),
          sampleEvent(START, "submitted"),
        );
      }

      // Act
      const pages = await allPages(store, "tenant-filter", { limit: 4, status: "CANCELLED" });
      const submitted = await store.update(await mustGet(store, "ord_filter_24"), {
        status: "PENDING_VALIDATION",
      });
      const pending = await store.listByTenant("tenant-filter", {
        limit: 10,
        status: "PENDING_VALIDATION",
      });

      // Assess
      const listed = pages.flat();
      expect(listed.map((order) => order.orderId)).toEqual([...cancelled].reverse());
      expect(listed.every((order) => order.status === "CANCELLED")).toBe(true);
      const nonEmpty = pages.filter((page) => page.length > 0);
      expect(nonEmpty.slice(0, -1).every((page) => page.length === 4)).toBe(true);
      expect(nonEmpty.at(-1)).toHaveLength(1);
      expect(pending.orders).toEqual([submitted]);
    });

    it("filters a listing by one of the orders' names, with a status too, across pages", async () => {
      // Prepare
      const { store } = await setUp();
      const name = (ascii: string) => ({ ascii, display: ascii, wildcard: ascii.startsWith("*.") });
      const matching: string[] = [];
      for (let index = 0; index < 12; index++) {
        const orderId = `ord_name_${String(index).padStart(2, "0")}`;
        // Every third order has the name, at a different position each time (the last one of 3).
        const names =
          index % 3 === 0
            ? [name(`n${index}.example.com`), name("www.example.com"), name("shop.example.com")]
            : [name(`n${index}.example.com`), name("shop.example.com.other")];
        if (index % 3 === 0) matching.push(orderId);
        await store.create(
          sampleOrder({
            orderId,
            tenantId: "tenant-names",
            names,
            status: index === 9 ? "CANCELLED" : "SUBMITTED",
            createdAt: new Date(START.getTime() + index * 1000).toISOString(),
          }),
          sampleEvent(START, "submitted"),
        );
      }

      // Act
      const pages = await allPages(store, "tenant-names", { limit: 2, domain: "shop.example.com" });
      const cancelled = await store.listByTenant("tenant-names", {
        limit: 10,
        domain: "shop.example.com",
        status: "CANCELLED",
      });
      const first = await store.listByTenant("tenant-names", {
        limit: 10,
        domain: "n4.example.com",
      });
      const none = await store.listByTenant("tenant-names", { limit: 10, domain: "example.com" });

      // Assess
      expect(pages.flat().map((order) => order.orderId)).toEqual([...matching].reverse());
      expect(cancelled.orders.map((order) => order.orderId)).toEqual(["ord_name_09"]);
      expect(first.orders.map((order) => order.orderId)).toEqual(["ord_name_04"]);
      expect(none.orders).toEqual([]);
    });

    it("rejects a malformed cursor and another tenant's cursor", async () => {
      // Prepare
      const { store } = await setUp();
      for (const orderId of ["ord_cur_1", "ord_cur_2"]) {
        await store.create(sampleOrder({ orderId }), sampleEvent(START, "submitted"));
      }
      const first = await store.listByTenant("tenant-a", { limit: 1 });

      // Act
      const otherTenant = await store
        .listByTenant("tenant-b", { limit: 1, cursor: first.nextCursor })
        .catch((error: unknown) => error);
      const malformed = await store
        .listByTenant("tenant-a", { limit: 1, cursor: "not-a-cursor" })
        .catch((error: unknown) => error);

      // Assess
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(otherTenant).toBeInstanceOf(InvalidListCursor);
      expect(malformed).toBeInstanceOf(InvalidListCursor);
    });

    it("finds issued orders due for renewal across month buckets, oldest first", async () => {
      // Prepare
      const { store } = await setUp();
      const issue = async (
        orderId: string,
        renewAt: string,
        status: OrderStatusName = "ISSUED",
      ) => {
        await store.create(sampleOrder({ orderId }), sampleEvent(START, "submitted"));
        return store.update(await mustGet(store, orderId), {
          status,
          certificate: certificate(renewAt),
        });
      };
      await issue("ord_renew_feb", "2027-02-10T00:00:00.000Z");
      await issue("ord_renew_jan", "2027-01-20T00:00:00.000Z");
      await issue("ord_renew_edge", "2027-02-28T00:00:00.000Z");
      await issue("ord_renew_late", "2027-02-28T00:00:00.001Z");
      await issue("ord_renew_mar", "2027-03-01T00:00:00.000Z");
      await issue("ord_renew_old", "2026-01-05T00:00:00.000Z");
      await issue("ord_renew_too_old", "2025-12-31T00:00:00.000Z");
      await issue("ord_renew_failed", "2027-01-05T00:00:00.000Z", "FAILED");
      await store.create(
        sampleOrder({ orderId: "ord_renew_nocert", status: "ISSUED" }),
        sampleEvent(START, "submitted"),
      );
      const until = "2027-02-28T00:00:00.000Z";
      const dueIds = async (by: string, limit: number) =>
        (await store.dueForRenewal(by, limit)).map((order) => order.orderId);

      // Act
      const due = await store.dueForRenewal(until, 10);
      const firstTwo = await dueIds(until, 2);
      await store.update(await mustGet(store, "ord_renew_jan"), { status: "REVOKED" });
      const renewed = await store.update(await mustGet(store, "ord_renew_feb"), {
        certificate: certificate("2027-08-10T00:00:00.000Z"),
      });
      const dueAfterChanges = await dueIds(until, 10);
      const dueInAugust = await dueIds("2027-08-31T00:00:00.000Z", 10);

      // Assess
      expect(due.map((order) => order.orderId)).toEqual([
        "ord_renew_old",
        "ord_renew_jan",
        "ord_renew_feb",
        "ord_renew_edge",
      ]);
      expect(due[0]?.certificate?.renewAt).toBe("2026-01-05T00:00:00.000Z");
      expect(firstTwo).toEqual(["ord_renew_old", "ord_renew_jan"]);
      expect(renewed.certificate?.renewAt).toBe("2027-08-10T00:00:00.000Z");
      expect(dueAfterChanges).toEqual(["ord_renew_old", "ord_renew_edge"]);
      expect(dueInAugust).toEqual([
        "ord_renew_edge",
        "ord_renew_late",
        "ord_renew_mar",
        "ord_renew_feb",
      ]);
    });

    it("answers one shard of the renewal index, and only the orders after a position", async () => {
      // Prepare
      const { store } = await setUp();
      const dueAt = [
        "2027-01-20T00:00:00.000Z",
        "2027-01-20T00:00:00.000Z",
        "2027-02-03T00:00:00.000Z",
        "2027-02-10T00:00:00.000Z",
        "2027-02-21T00:00:00.000Z",
        "2027-02-27T00:00:00.000Z",
      ];
      for (const [index, renewAt] of dueAt.entries()) {
        const orderId = `ord_range_${index}`;
        await store.create(sampleOrder({ orderId }), sampleEvent(START, "submitted"));
        await store.update(await mustGet(store, orderId), {
          status: "ISSUED",
          certificate: certificate(renewAt),
        });
      }
      const until = "2027-02-28T00:00:00.000Z";
      const ids = (orders: readonly OrderRecord[]) => orders.map((order) => order.orderId);
      const all = ids(await store.dueForRenewal(until, 10));
      const shard = renewalShard("ord_range_3");

      // Act
      const ofShard = ids(await store.dueForRenewal(until, 10, { shard }));
      const afterSecond = ids(
        await store.dueForRenewal(until, 10, {
          after: { dueAt: "2027-01-20T00:00:00.000Z", orderId: "ord_range_1" },
        }),
      );
      const nextTwo = ids(
        await store.dueForRenewal(until, 2, {
          after: { dueAt: "2027-02-03T00:00:00.000Z", orderId: "ord_range_2" },
        }),
      );
      const pastUntil = await store.dueForRenewal(until, 10, {
        after: { dueAt: "2027-03-01T00:00:00.000Z", orderId: "ord_range_9" },
      });
      const noShard = await store.dueForRenewal(until, 10, { shard: 99 }).catch((error) => error);

      // Assess
      expect(all).toEqual(dueAt.map((_, index) => `ord_range_${index}`));
      expect(ofShard).toContain("ord_range_3");
      expect(ofShard).toEqual(all.filter((orderId) => renewalShard(orderId) === shard));
      expect(afterSecond).toEqual(["ord_range_2", "ord_range_3", "ord_range_4", "ord_range_5"]);
      expect(nextTwo).toEqual(["ord_range_3", "ord_range_4"]);
      expect(pastUntil).toEqual([]);
      expect(noShard).toBeInstanceOf(RangeError);
    });

    it("counts uses of a quota per fixed window, for its key alone", async () => {
      // Prepare
      const { store } = await setUp();
      const quota = { key: "submissions#tenant-a", limit: 3, windowSeconds: 60 };
      const at = (seconds: number) => new Date(Date.UTC(2027, 0, 10, 8, 0, seconds));

      // Act
      const answers = [];
      for (const second of [0, 10, 20, 30]) answers.push(await store.countUse(quota, at(second)));
      const otherKey = await store.countUse({ ...quota, key: "submissions#tenant-a#x" }, at(40));
      const nextWindow = await store.countUse(quota, new Date(Date.UTC(2027, 0, 10, 8, 1, 0)));

      // Assess
      expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, false]);
      expect(answers[3]).toEqual({ allowed: false, retryAfterSeconds: 30 });
      expect(otherKey.allowed).toBe(true);
      expect(nextWindow.allowed).toBe(true);
    });

    it("keeps a minimum interval between two claims of one key", async () => {
      // Prepare
      const { store } = await setUp();
      const at = (ms: number) => new Date(Date.UTC(2027, 0, 10, 8, 0, 0) + ms);

      // Act
      const first = await store.claimInterval("checks#ord_a", at(0), 5);
      const tooSoon = await store.claimInterval("checks#ord_a", at(4_999), 5);
      const otherOrder = await store.claimInterval("checks#ord_b", at(1_000), 5);
      const later = await store.claimInterval("checks#ord_a", at(5_000), 5);

      // Assess
      expect(first.allowed).toBe(true);
      expect(tooSoon).toEqual({ allowed: false, retryAfterSeconds: 5 });
      expect(otherOrder.allowed).toBe(true);
      expect(later.allowed).toBe(true);
    });

    it("keeps the names each tenant proved, for that tenant alone, until the proof expires", async () => {
      // Prepare
      const { store } = await setUp();
      const names = ["shop.example.com", "www.shop.example.com"];

      // Act
      await store.recordProvenNames("tenant-a", names, "2027-06-01T00:00:00.000Z");
      await store.recordProvenNames(
        "tenant-a#x",
        ["other.example.com"],
        "2027-06-01T00:00:00.000Z",
      );
      const beforeExpiry = await store.provenNames(
        "tenant-a",
        [...names, "other.example.com"],
        "2027-05-31T23:59:59.000Z",
      );
      const atExpiry = await store.provenNames("tenant-a", names, "2027-06-01T00:00:00.000Z");
      const otherTenant = await store.provenNames("tenant-b", names, "2027-01-01T00:00:00.000Z");
      await store.recordProvenNames("tenant-a", ["shop.example.com"], "2027-09-01T00:00:00.000Z");
      const renewed = await store.provenNames("tenant-a", names, "2027-07-01T00:00:00.000Z");

      // Assess
      expect([...beforeExpiry].sort()).toEqual(names);
      expect(atExpiry.size).toBe(0);
      expect(otherTenant.size).toBe(0);
      expect([...renewed]).toEqual(["shop.example.com"]);
    });

    it("settles an approval link once: of two racing decisions one wins, and a settled link stays", async () => {
      // Prepare
      const { store } = await setUp();
      const link = {
        linkHash: "a".repeat(64),
        orderId: "ord_link_1",
        tenantId: "tenant-a",
        approver: "admin@example.com",
        names: ["example.com", "www.example.com"],
        createdAt: "2026-12-01T00:00:00.000Z",
        validUntil: "2026-12-02T00:00:00.000Z",
        state: "pending" as const,
      };
      await store.putApprovalLink(link);

      // Act
      const [first, second] = await Promise.all([
        store.settleApprovalLink(link.linkHash, {
          state: "approved",
          at: "2026-12-01T01:00:00.000Z",
        }),
        store.settleApprovalLink(link.linkHash, {
          state: "declined",
          at: "2026-12-01T01:00:00.000Z",
          reason: "not ours",
        }),
      ]);
      const unknown = await store.settleApprovalLink("b".repeat(64), {
        state: "approved",
        at: "2026-12-01T01:00:00.000Z",
      });
      const stored = await store.getApprovalLink(link.linkHash);

      // Assess
      expect([first.settled, second.settled].filter(Boolean)).toHaveLength(1);
      const winner = first.settled ? first.link : second.link;
      expect(stored).toEqual(winner);
      expect(stored?.names).toEqual(link.names);
      expect(stored?.decidedAt).toBe("2026-12-01T01:00:00.000Z");
      expect(first.settled ? second.link?.state : first.link?.state).toBe(stored?.state);
      expect(unknown).toEqual({ settled: false });
      expect(await store.getApprovalLink("c".repeat(64))).toBeUndefined();
    });

    it("keeps an approved organization for its tenant alone until its reuse ends", async () => {
      // Prepare
      const { store } = await setUp();
      const approval = {
        orderId: "ord_org_1",
        approvedAt: "2026-12-01T00:00:00.000Z",
        reusableUntil: "2028-01-03T00:00:00.000Z",
      };

      // Act
      await store.recordApprovedOrganization("tenant-a", "org-key-1", approval);
      const found = await store.approvedOrganization(
        "tenant-a",
        "org-key-1",
        "2027-06-01T00:00:00.000Z",
      );
      const afterReuse = await store.approvedOrganization(
        "tenant-a",
        "org-key-1",
        "2028-01-03T00:00:00.000Z",
      );
      const otherTenant = await store.approvedOrganization(
        "tenant-b",
        "org-key-1",
        "2027-06-01T00:00:00.000Z",
      );
      const otherOrganization = await store.approvedOrganization(
        "tenant-a",
        "org-key-2",
        "2027-06-01T00:00:00.000Z",
      );

      // Assess
      expect(found).toEqual(approval);
      expect(afterReuse).toBeUndefined();
      expect(otherTenant).toBeUndefined();
      expect(otherOrganization).toBeUndefined();
    });

    it("queues OV/EV orders whose letter awaits a decision, longest waiting first, and only those", async () => {
      // Prepare
      const { store } = await setUp();
      const review = (status: ReviewStatus, awaitingSince?: string) => ({
        status,
        deadline: "2027-01-08T00:00:00.000Z",
        ...(awaitingSince === undefined ? {} : { awaitingSince }),
      });
      const orders = [
        sampleOrder({
          orderId: "ord_rq_late",
          status: "PENDING_REVIEW",
          product: "OV",
          review: review("awaiting-decision", "2027-01-03T00:00:00.000Z"),
        }),
        sampleOrder({
          orderId: "ord_rq_early",
          status: "PENDING_VALIDATION",
          product: "OV",
          review: review("awaiting-decision", "2027-01-02T00:00:00.000Z"),
        }),
        sampleOrder({
          orderId: "ord_rq_letter",
          status: "PENDING_VALIDATION",
          product: "OV",
          review: review("awaiting-document"),
        }),
        sampleOrder({
          orderId: "ord_rq_failed",
          status: "FAILED",
          product: "OV",
          review: review("awaiting-decision", "2027-01-01T00:00:00.000Z"),
        }),
        sampleOrder({ orderId: "ord_rq_dv", status: "PENDING_VALIDATION" }),
      ];
      for (const order of orders) await store.create(order, sampleEvent(START, "created"));

      // Act
      const queued = await store.awaitingReview(10);
      const first = await store.awaitingReview(1);
      const early = await store.get("ord_rq_early");
      if (early === undefined) throw new Error("missing");
      await store.update(early, {
        review: { ...review("approved"), decidedAt: "2027-01-04T00:00:00.000Z" },
      });
      const afterApproval = await store.awaitingReview(10);

      // Assess
      expect(queued.map((order) => order.orderId)).toEqual(["ord_rq_early", "ord_rq_late"]);
      expect(first.map((order) => order.orderId)).toEqual(["ord_rq_early"]);
      expect(afterApproval.map((order) => order.orderId)).toEqual(["ord_rq_late"]);
    });
  });
}
