import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../../../functions/domain/bounded-concurrency.ts";

describe("mapWithConcurrency", () => {
  it("answers in the items' order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (item) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, item));
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it("rejects with the first failure after the started items settle", async () => {
    const done: number[] = [];
    const outcome = mapWithConcurrency([1, 2, 3], 3, async (item) => {
      await new Promise((resolve) => setTimeout(resolve, item));
      if (item === 1) throw new Error("one failed");
      done.push(item);
      return item;
    });
    await expect(outcome).rejects.toThrow("one failed");
    expect(done.sort()).toEqual([2, 3]);
  });

  it("answers nothing for no items", async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
