// Keeping a screen current without reloading: polling with backoff (soon after a change or an
// action, less often while nothing moves), and a clock for countdowns.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

/** The delays between polls: from `first`, growing by `factor` while nothing changes, up to `most`. */
export interface Backoff {
  readonly first: number;
  readonly factor: number;
  readonly most: number;
}

export const ACTIVE_BACKOFF: Backoff = { first: 1000, factor: 1.5, most: 15_000 };
/** For what changes only by someone's action (an issued order): a look every minute. */
export const RESTING_BACKOFF: Backoff = { first: 15_000, factor: 2, most: 60_000 };

/** The next delay: the first after a change, else the last one grown, capped. */
export function nextDelay(backoff: Backoff, last: number | undefined, changed: boolean): number {
  if (changed || last === undefined) return backoff.first;
  return Math.min(backoff.most, Math.round(last * backoff.factor));
}

/**
 * Calls `load` now and again after each delay; `load` answers a fingerprint of what it got (a
 * changed one restarts the backoff) and the backoff to use next. `poke()` loads at once and
 * restarts the backoff (after the customer acted).
 */
export function usePolling(
  load: () => Promise<{ fingerprint: string; backoff: Backoff } | undefined>,
  key: string,
): { poke: () => void } {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latestLoad = useRef(load);
  latestLoad.current = load;
  const state = useRef<{ delay?: number; fingerprint?: string; generation: number }>({
    generation: 0,
  });
  const run = useCallback(async (generation: number, reset: boolean) => {
    clearTimeout(timer.current);
    let outcome: { fingerprint: string; backoff: Backoff } | undefined;
    try {
      outcome = await latestLoad.current();
    } catch {
      outcome = undefined;
    }
    if (generation !== state.current.generation) return;
    const changed = reset || outcome?.fingerprint !== state.current.fingerprint;
    if (outcome !== undefined) state.current.fingerprint = outcome.fingerprint;
    const backoff = outcome?.backoff ?? ACTIVE_BACKOFF;
    const delay = nextDelay(backoff, state.current.delay, changed);
    state.current.delay = delay;
    timer.current = setTimeout(() => void run(generation, false), delay);
  }, []);
  useEffect(() => {
    const generation = state.current.generation + 1;
    state.current = { generation };
    void run(generation, true);
    const visible = () => {
      // Back to the tab: look at once rather than after a long backoff.
      if (document.visibilityState === "visible") void run(state.current.generation, true);
    };
    document.addEventListener("visibilitychange", visible);
    return () => {
      state.current.generation += 1;
      clearTimeout(timer.current);
      document.removeEventListener("visibilitychange", visible);
    };
    // `key` names what is polled: a new one starts over.
  }, [key]);
  return { poke: () => void run(state.current.generation, true) };
}

/** The current time, renewed every `intervalMs` (for countdowns). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
