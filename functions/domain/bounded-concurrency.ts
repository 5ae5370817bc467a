/**
 * Runs `work` for every item, at most `limit` at a time, and answers the results in the items'
 * order. A failure stops its worker; the others work through the remaining items, then the
 * first failure rejects.
 */
export async function mapWithConcurrency<Item, Result>(
  items: readonly Item[],
  limit: number,
  work: (item: Item, index: number) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as Item, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return results;
}
