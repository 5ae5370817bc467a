import { describe, expect, it } from "vitest";
import { createTokenBucket } from "../../../functions/domain/token-bucket.ts";

describe("createTokenBucket", () => {
  it("hands out its burst at once, then one token per 1/rate seconds, each reservation in turn", () => {
    // Prepare
    let now = 0;
    const bucket = createTokenBucket({ ratePerSecond: 10, burst: 2, nowMs: () => now });

    // Act
    const waits = [bucket.take(), bucket.take(), bucket.take(), bucket.take()];
    now = 1_000;
    const afterASecond = [bucket.take(), bucket.take(), bucket.take()];

    // Assess
    expect(waits).toEqual([0, 0, 100, 200]);
    // A second later the two reservations are paid, and the refill is capped at the burst.
    expect(afterASecond).toEqual([0, 0, 100]);
  });

  it("refuses a rate or burst that would never hand out a token", () => {
    expect(() => createTokenBucket({ ratePerSecond: 0, burst: 1, nowMs: () => 0 })).toThrow(
      RangeError,
    );
    expect(() => createTokenBucket({ ratePerSecond: 5, burst: 0, nowMs: () => 0 })).toThrow(
      RangeError,
    );
  });
});
