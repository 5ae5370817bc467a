/**
 * A token bucket, as AWS meters API calls: `burst` tokens at most, refilled at `ratePerSecond`.
 * `take` reserves the next token and answers how long the caller must wait before using it (0
 * when one is there), so callers that each take before they call never exceed the rate
 * together. The clock is given (milliseconds).
 */
export interface TokenBucket {
  take(): number;
}

export function createTokenBucket(options: {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly nowMs: () => number;
}): TokenBucket {
  const { ratePerSecond, burst, nowMs } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1)) {
    throw new RangeError(`A token bucket needs a positive rate and a burst of at least 1.`);
  }
  let tokens = burst;
  let updatedAt = nowMs();
  return {
    take() {
      const now = nowMs();
      tokens = Math.min(burst, tokens + ((now - updatedAt) * ratePerSecond) / 1000);
      updatedAt = now;
      tokens -= 1;
      // A negative balance is a queue of reservations: each waits for its own token.
      return tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / ratePerSecond);
    },
  };
}
