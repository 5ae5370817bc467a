import { RENEWAL_INDEX_SHARDS } from "../domain/renewal-shards.ts";
import type { RenewalIndexPosition } from "../ports/order-store.ts";
import {
  noRenewalCounts,
  RENEWAL_MAILS_PER_SECOND,
  RENEWAL_ORDERS_PER_SECOND,
  RENEWAL_STARTS_PER_SECOND,
  type RenewalRunCounts,
  type RenewalRunDeps,
  runRenewals,
} from "./renewal-run.ts";

/** One worker's part of a renewal run: a shard of the index, from a position on. */
export interface RenewalWork {
  /** The run's time (ISO 8601): every part judges what is due by it. */
  readonly now: string;
  readonly shard: number;
  readonly after?: RenewalIndexPosition;
}

/** Workers a host runs parts of the renewal run on (on AWS: the function, invoked again). */
export interface RenewalWorkers {
  /** Milliseconds this worker has left. */
  timeLeftMs(): number;
  /** Has each part run by a worker of its own; answers once they are handed over. */
  handOff(work: readonly RenewalWork[]): Promise<void>;
}

export interface RenewalFanOutCounts extends RenewalRunCounts {
  /** Parts of the run handed to other workers: a shard each, or the rest of one. */
  readonly handedOff: number;
}

export interface RenewalFanOutOptions {
  /** Renewals started per second by all workers of the run together. */
  readonly startsPerSecond?: number;
  readonly batchSize?: number;
}

/**
 * The renewal run spread over workers. Its start hands each shard of the renewal index to a
 * worker of its own, which settles its due orders batch by batch at its share of the rates
 * and, when its time runs short, hands the rest of its shard on: no due order is left for the
 * next day, however many there are. Each part answers its own counts (summed, they are the
 * run's). Without workers (the local service) the run takes the whole index in this process.
 */
export async function runRenewalFanOut(
  deps: RenewalRunDeps,
  now: Date,
  workers: RenewalWorkers | undefined,
  work: RenewalWork | undefined,
  options: RenewalFanOutOptions = {},
): Promise<RenewalFanOutCounts> {
  const startsPerSecond = options.startsPerSecond ?? RENEWAL_STARTS_PER_SECOND;
  if (workers === undefined) {
    const { rest: _rest, ...counts } = await runRenewals(deps, now, {
      startsPerSecond,
      batchSize: options.batchSize,
      shard: work?.shard,
      after: work?.after,
    });
    return { ...counts, handedOff: 0 };
  }
  if (work === undefined) {
    const at = now.toISOString();
    const shards = Array.from({ length: RENEWAL_INDEX_SHARDS }, (_, shard) => ({ now: at, shard }));
    await workers.handOff(shards);
    return { ...noRenewalCounts(), handedOff: shards.length };
  }
  const { rest, ...counts } = await runRenewals(deps, new Date(work.now), {
    shard: work.shard,
    after: work.after,
    startsPerSecond: startsPerSecond / RENEWAL_INDEX_SHARDS,
    ordersPerSecond: RENEWAL_ORDERS_PER_SECOND / RENEWAL_INDEX_SHARDS,
    mailsPerSecond: RENEWAL_MAILS_PER_SECOND / RENEWAL_INDEX_SHARDS,
    batchSize: options.batchSize,
    timeLeftMs: () => workers.timeLeftMs(),
  });
  if (rest === undefined) return { ...counts, handedOff: 0 };
  await workers.handOff([{ now: work.now, shard: work.shard, after: rest.after }]);
  return { ...counts, handedOff: 1 };
}
