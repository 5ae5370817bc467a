import { describe, expect, it } from "vitest";
import { createMemoryMailer } from "../../../functions/adapters/memory/memory-mailer.ts";
import { RENEWAL_INDEX_SHARDS, renewalShard } from "../../../functions/domain/renewal-shards.ts";
import { type RenewalWork, runRenewalFanOut } from "../../../functions/orders/renewal-fan-out.ts";
import {
  type Pacing,
  RENEWAL_BATCH_RESERVE_MS,
  type RenewalRunDeps,
  runRenewals,
} from "../../../functions/orders/renewal-run.ts";
import { renewalOrderId } from "../../../functions/orders/renewals.ts";
import type { OrderStore, RenewalIndexRange } from "../../../functions/ports/order-store.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  renewalWorld,
  seed,
} from "../../support/renewal-fixtures.ts";

const renewalIdOf = (orderId: string | undefined) =>
  renewalOrderId(orderId ?? "", FIRST_CERTIFICATE.serialNumber, 0);

/** Pacing that never waits: the waits asked for are recorded instead. */
function recordedPacing() {
  const waits: number[] = [];
  const pacing: Pacing = {
    nowMs: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { waits, pacing };
}

/**
 * Pacing on a clock of its own: a sleep ends at the time it was asked for plus its wait, and the
 * clock moves on to it when it ends (sleeps asked for together end in turn, in their order).
 */
function clockPacing() {
  let now = 0;
  const pacing: Pacing = {
    nowMs: () => now,
    sleep: async (ms) => {
      const wakeAt = now + ms;
      await new Promise((resolve) => setImmediate(resolve));
      now = Math.max(now, wakeAt);
    },
  };
  return { pacing, nowMs: () => now };
}

/** A store whose renewal index reads are recorded (limit and range of each). */
function recordingReads(store: OrderStore) {
  const reads: { limit: number; range: RenewalIndexRange | undefined }[] = [];
  const recorded: OrderStore = Object.assign(Object.create(store) as OrderStore, {
    dueForRenewal: (until: string, limit: number, range?: RenewalIndexRange) => {
      reads.push({ limit, range });
      return store.dueForRenewal(until, limit, range);
    },
  });
  return { reads, store: recorded };
}

async function dueWorld(count: number) {
  const world = renewalWorld();
  const ids = Array.from({ length: count }, (_, index) => `ord_batch${index}`);
  for (const orderId of ids) await seed(world.store, issuedRecord(orderId));
  const { reads, store } = recordingReads(world.store);
  const { waits, pacing } = recordedPacing();
  const deps: RenewalRunDeps = {
    ...world.deps,
    store,
    mailer: createMemoryMailer(),
    pacing,
  };
  return { ...world, ids, reads, waits, deps };
}

describe("runRenewals in batches", () => {
  it("reads on after the last order of each full batch until none is due", async () => {
    // Prepare
    const world = await dueWorld(7);

    // Act
    const counts = await runRenewals(world.deps, RENEWAL_NOW, { batchSize: 3 });

    // Assess
    expect(counts).toMatchObject({ due: 7, started: 7, failed: 0 });
    expect(counts.rest).toBeUndefined();
    expect(world.workflow.started).toHaveLength(7);
    expect(world.reads.map(({ limit, range }) => [limit, range?.after?.orderId])).toEqual([
      [3, undefined],
      [3, "ord_batch2"],
      [3, "ord_batch5"],
    ]);
  });

  it("goes past an order that failed instead of reading it again, and ends", async () => {
    // Prepare
    const world = await dueWorld(4);
    world.workflow.failNextWith(new Error("the engine refused"));

    // Act
    const counts = await runRenewals(world.deps, RENEWAL_NOW, { batchSize: 2 });

    // Assess
    expect(counts).toMatchObject({ due: 4, started: 3, failed: 1 });
    expect(world.reads).toHaveLength(3);
  });

  it("stops when its time runs short, saying where; going on from there takes the rest once", async () => {
    // Prepare: one order a second, and time for two of them.
    const world = await dueWorld(5);
    const clock = clockPacing();
    const timeLeftMs = () => RENEWAL_BATCH_RESERVE_MS + 1_500 - clock.nowMs();

    // Act
    const first = await runRenewals({ ...world.deps, pacing: clock.pacing }, RENEWAL_NOW, {
      batchSize: 2,
      ordersPerSecond: 1,
      timeLeftMs,
    });
    const rest = await runRenewals(world.deps, RENEWAL_NOW, {
      batchSize: 2,
      after: first.rest?.after,
    });

    // Assess
    expect(first).toMatchObject({ due: 2, started: 2 });
    expect(first.rest?.after?.orderId).toBe("ord_batch1");
    expect(rest).toMatchObject({ due: 3, started: 3, running: 0 });
    expect(world.workflow.asked).toHaveLength(5);
  });

  it("begins no more orders of a batch once its time runs short, and goes on after the last begun", async () => {
    // Prepare: one order a second, and time for two of the batch's four orders.
    const world = await dueWorld(5);
    const clock = clockPacing();
    const timeLeftMs = () => RENEWAL_BATCH_RESERVE_MS + 1_500 - clock.nowMs();

    // Act
    const first = await runRenewals({ ...world.deps, pacing: clock.pacing }, RENEWAL_NOW, {
      batchSize: 4,
      ordersPerSecond: 1,
      timeLeftMs,
    });
    const rest = await runRenewals(world.deps, RENEWAL_NOW, {
      batchSize: 4,
      after: first.rest?.after,
    });

    // Assess
    expect(first).toMatchObject({ due: 2, started: 2 });
    expect(first.rest?.after?.orderId).toBe("ord_batch1");
    expect(rest).toMatchObject({ due: 3, started: 3, running: 0 });
    expect(world.workflow.asked).toHaveLength(5);
  });

  it("answers soon after its time runs short, however many orders of its batch are left: they wait for no token", async () => {
    // Prepare: a shard's worker at 2.5 orders a second with 30 s before its reserve, and a
    // batch of 500 due orders (left-out orders once queued on the bucket for 200 s).
    const world = await dueWorld(500);
    const clock = clockPacing();
    const timeLeftMs = () => RENEWAL_BATCH_RESERVE_MS + 30_000 - clock.nowMs();

    // Act
    const result = await runRenewals({ ...world.deps, pacing: clock.pacing }, RENEWAL_NOW, {
      batchSize: 500,
      ordersPerSecond: 2.5,
      startsPerSecond: 1_000,
      timeLeftMs,
    });

    // Assess: done within the reserve, after at most the 16 orders already waiting for a token.
    expect(clock.nowMs()).toBeLessThanOrEqual(30_000 + 16 * 400);
    expect(result.due).toBeGreaterThanOrEqual(70);
    expect(result.due).toBeLessThanOrEqual(80);
    expect(result.rest?.after?.orderId).toBeDefined();
  });

  it("starts renewals no faster than its rate: past the burst, each waits its turn", async () => {
    // Prepare
    const world = await dueWorld(7);

    // Act
    await runRenewals(world.deps, RENEWAL_NOW, { startsPerSecond: 4, ordersPerSecond: 1_000 });

    // Assess: a burst of 4, then one start every 250 ms; the orders' own bucket never waits.
    expect(world.waits.filter((ms) => ms > 0).sort((a, b) => a - b)).toEqual([250, 500, 750]);
    expect(world.workflow.started).toHaveLength(7);
  });

  it("tries a start the engine throttled again, by the error's name, and no other error", async () => {
    // Prepare
    const world = await dueWorld(2);
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    let throttles = 2;
    const denied = Object.assign(new Error("not allowed"), { name: "AccessDeniedException" });
    const asked: string[] = [];
    const deps: RenewalRunDeps = {
      ...world.deps,
      workflow: {
        async startExecution(name, input) {
          asked.push(name);
          if (name.startsWith(renewalIdOf(world.ids[1]))) throw denied;
          if (throttles-- > 0) throw throttled;
          await world.workflow.startExecution(name, input);
        },
      },
    };

    // Act
    const counts = await runRenewals(deps, RENEWAL_NOW);

    // Assess
    expect(counts).toMatchObject({ due: 2, started: 1, failed: 1 });
    expect(asked.filter((name) => name.startsWith(renewalIdOf(world.ids[0])))).toHaveLength(3);
    expect(asked.filter((name) => name.startsWith(renewalIdOf(world.ids[1])))).toHaveLength(1);
  });
});

describe("runRenewalFanOut", () => {
  const workersOf = (timeLeft: () => number) => {
    const handed: RenewalWork[] = [];
    return {
      handed,
      workers: {
        timeLeftMs: timeLeft,
        handOff: async (work: readonly RenewalWork[]) => {
          handed.push(...work);
        },
      },
    };
  };

  it("hands each shard of the index to a worker of its own at the start, reading nothing", async () => {
    // Prepare
    const world = await dueWorld(3);
    const { handed, workers } = workersOf(() => 15 * 60_000);

    // Act
    const counts = await runRenewalFanOut(world.deps, RENEWAL_NOW, workers, undefined);

    // Assess
    expect(counts).toMatchObject({ due: 0, started: 0, handedOff: RENEWAL_INDEX_SHARDS });
    expect(handed.map((work) => work.shard)).toEqual(
      Array.from({ length: RENEWAL_INDEX_SHARDS }, (_, shard) => shard),
    );
    expect(new Set(handed.map((work) => work.now))).toEqual(new Set([RENEWAL_NOW.toISOString()]));
    expect(world.reads).toEqual([]);
  });

  it("settles only its shard's due orders as a worker, and every shard's together settle all", async () => {
    // Prepare
    const world = await dueWorld(40);
    const { handed, workers } = workersOf(() => 15 * 60_000);
    const now = RENEWAL_NOW.toISOString();

    // Act
    const parts = [];
    for (let shard = 0; shard < RENEWAL_INDEX_SHARDS; shard++) {
      parts.push(await runRenewalFanOut(world.deps, RENEWAL_NOW, workers, { now, shard }));
    }

    // Assess
    const started = (shard: number) =>
      world.ids.filter((orderId) => renewalShard(orderId) === shard).length;
    expect(parts.map((part) => part.started)).toEqual(
      Array.from({ length: RENEWAL_INDEX_SHARDS }, (_, shard) => started(shard)),
    );
    expect(parts.reduce((sum, part) => sum + part.due, 0)).toBe(40);
    expect(world.workflow.started).toHaveLength(40);
    expect(handed).toEqual([]);
  });

  it("hands the rest of its shard on when its time runs short", async () => {
    // Prepare
    const world = await dueWorld(40);
    const shard = renewalShard("ord_batch0");
    const { handed, workers } = workersOf(() => RENEWAL_BATCH_RESERVE_MS - 1);
    const work = { now: RENEWAL_NOW.toISOString(), shard, after: undefined };

    // Act
    const counts = await runRenewalFanOut(world.deps, RENEWAL_NOW, workers, work);

    // Assess
    expect(counts).toMatchObject({ due: 0, handedOff: 1 });
    expect(handed).toEqual([{ now: work.now, shard, after: undefined }]);
  });

  it("takes the whole index in this process without workers (the local service)", async () => {
    // Prepare
    const world = await dueWorld(5);

    // Act
    const counts = await runRenewalFanOut(world.deps, RENEWAL_NOW, undefined, undefined);

    // Assess
    expect(counts).toMatchObject({ due: 5, started: 5, handedOff: 0 });
    expect(world.reads.map(({ range }) => range?.shard)).toEqual([undefined]);
  });
});
