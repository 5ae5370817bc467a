/**
 * How often the service looks for what a customer was asked to publish. Customers who press
 * "verify now" are served at once; the cadence is for those who publish and never press it:
 * often while they are most likely at work on it, rarely after.
 */
export interface CheckCadence {
  /** The wait between checks during the first `earlyPeriodSeconds` of the wait. */
  readonly earlySeconds: number;
  readonly earlyPeriodSeconds: number;
  /** The longest wait between checks after that. */
  readonly lateSeconds: number;
}

/** Noticed within 15 minutes in the first hour, within 2 hours after it. */
export const DEFAULT_CHECK_CADENCE: CheckCadence = {
  earlySeconds: 900,
  earlyPeriodSeconds: 3_600,
  lateSeconds: 7_200,
};

/** What the wait does after a check: wait `waitSeconds` and check again, or stop. */
export type NextCheck =
  | { readonly kind: "check"; readonly waitSeconds: number }
  | { readonly kind: "deadline-passed" };

export interface CheckTiming {
  /** When the wait began (when the customer was told what to publish). */
  readonly startedAt: Date;
  readonly deadline: Date;
  /** When the check that just ran finished. */
  readonly now: Date;
  readonly cadence: CheckCadence;
}

const wholeSeconds = (seconds: number) =>
  Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;

/**
 * The wait after a check that found not everything published.
 *
 * - At or after the deadline: "deadline-passed" (the check that just ran was the last).
 * - During the early period: `earlySeconds`.
 * - After it: the time left split into equal turns of at most `lateSeconds`, so the last turn
 *   ends exactly at the deadline and one final check runs there. Splitting evenly keeps every
 *   later turn the same length, so the wait loop changes its timeout once, not at each turn.
 * - Never past the deadline; always whole seconds ≥ 1 (Step Functions timeouts are).
 */
export function nextCheck(timing: CheckTiming): NextCheck {
  const remaining = (timing.deadline.getTime() - timing.now.getTime()) / 1000;
  if (!(remaining > 0)) return { kind: "deadline-passed" };
  const elapsed = (timing.now.getTime() - timing.startedAt.getTime()) / 1000;
  const early = wholeSeconds(timing.cadence.earlySeconds);
  const late = Math.max(early, wholeSeconds(timing.cadence.lateSeconds));
  if (elapsed < timing.cadence.earlyPeriodSeconds) {
    return { kind: "check", waitSeconds: Math.min(early, wholeSeconds(remaining)) };
  }
  const turns = Math.ceil(remaining / late);
  return { kind: "check", waitSeconds: wholeSeconds(remaining / turns) };
}

/**
 * Every check of a wait in which nothing is ever published and checks take no time, as seconds
 * from its start: the first at once, the last at the deadline.
 */
export function plannedChecks(input: {
  startedAt: Date;
  deadline: Date;
  cadence: CheckCadence;
}): number[] {
  const start = input.startedAt.getTime();
  const checks: number[] = [];
  for (let now = start; ; ) {
    checks.push((now - start) / 1000);
    const next = nextCheck({ ...input, now: new Date(now) });
    if (next.kind === "deadline-passed") return checks;
    now += next.waitSeconds * 1000;
  }
}
