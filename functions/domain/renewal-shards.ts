/**
 * Partitions of each month of the renewal index: a month's due orders are spread over this many
 * partition keys by a hash of the order id, and the renewal run hands out one worker per shard.
 * Sized in README, "Scale": changing it moves orders between partitions, so the index must be
 * rebuilt (every indexed order written again) before a run reads with the new count.
 */
export const RENEWAL_INDEX_SHARDS = 16;

/** The shard of an order in the renewal index: a stable hash of its id. */
export function renewalShard(orderId: string): number {
  let hash = 0;
  for (let index = 0; index < orderId.length; index++) {
    hash = (Math.imul(hash, 31) + orderId.charCodeAt(index)) >>> 0;
  }
  return hash % RENEWAL_INDEX_SHARDS;
}
