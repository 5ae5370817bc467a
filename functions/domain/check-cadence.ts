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
  /**
   * Times a check must run at (or just after), such as a reminder's mark: the turns up to the
   * next of them are split as the turns up to the deadline are, so one ends there.
   */
  readonly marks?: readonly Date[];
}

const wholeSeconds = (seconds: number) =>
  Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;

/**
 * The shortest wait: a turn's check must end well inside its wait (on AWS the timeout of a
 * waiting task runs from the moment the task starts, its function's run included).
 */
export const SHORTEST_WAIT_SECONDS = 60;

/**
 * The wait after a check that found not everything published, counted from when the turn
 * began (the check's own time is inside the wait).
 *
 * - At or after the deadline: "deadline-passed" (the check that just ran was the last).
 * - During the early period: `earlySeconds`.
 * - After it: the time left split into equal turns of at most `lateSeconds`, so the last turn
 *   ends at the deadline and one final check runs there. Splitting evenly keeps every later
 *   turn the same length, so the wait loop changes its timeout once, not at each turn.
 * - With `marks`, "the deadline" above is the next mark still ahead, while one is: a turn ends
 *   at (or just after) each mark, and the turns after it are split up to the next (one more
 *   change of timeout per mark).
 * - Whole seconds, never past the deadline, and never shorter than `earlySeconds` or 60 s,
 *   whichever is less: with less left than that, the final check runs a little after the deadline.
 */
export function nextCheck(timing: CheckTiming): NextCheck {
  const remaining = (timing.deadline.getTime() - timing.now.getTime()) / 1000;
  if (!(remaining > 0)) return { kind: "deadline-passed" };
  const elapsed = (timing.now.getTime() - timing.startedAt.getTime()) / 1000;
  const early = wholeSeconds(timing.cadence.earlySeconds);
  const late = Math.max(early, wholeSeconds(timing.cadence.lateSeconds));
  const shortest = Math.min(early, SHORTEST_WAIT_SECONDS);
  const untilMark = (timing.marks ?? [])
    .map((mark) => (mark.getTime() - timing.now.getTime()) / 1000)
    .filter((seconds) => seconds > 0 && seconds < remaining);
  const span = Math.min(remaining, ...untilMark);
  const wait =
    elapsed < timing.cadence.earlyPeriodSeconds
      ? Math.min(early, wholeSeconds(span))
      : wholeSeconds(span / Math.ceil(span / late));
  return { kind: "check", waitSeconds: Math.max(shortest, wait) };
}

/**
 * Whether a newly computed wait is the one a turn already has: within 1 % (the few seconds a
 * turn's start drifts by), so long turns keep their length instead of waking to change it.
 */
export function sameWait(next: number, current: number): boolean {
  return Math.abs(next - current) <= Math.floor(current / 100);
}

/**
 * Every check of a wait in which nothing is ever published and checks take no time, as seconds
 * from its start: the first at once, the last at the deadline.
 */
export function plannedChecks(input: {
  startedAt: Date;
  deadline: Date;
  cadence: CheckCadence;
  marks?: readonly Date[];
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
