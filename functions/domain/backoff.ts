export interface CheckScheduleInput {
  /** Checks already done (0 before the first one). */
  readonly attempt: number;
  /** When the wait began. The delay itself depends only on attempt, now and deadline. */
  readonly startedAt: Date;
  readonly deadline: Date;
  /** When the check that just ran finished (or now, before the first check). */
  readonly now: Date;
  readonly minSeconds: number;
  readonly maxSeconds: number;
}

/** What the loop does next: wait `waitSeconds` and check, or stop at the passed deadline. */
export type NextCheck =
  | { readonly kind: "check"; readonly waitSeconds: number }
  | { readonly kind: "deadline-passed" };

function boundsOf(input: { minSeconds: number; maxSeconds: number }) {
  const min = Number.isFinite(input.minSeconds) ? Math.max(1, Math.ceil(input.minSeconds)) : 1;
  const max = Number.isFinite(input.maxSeconds) ? Math.max(min, Math.floor(input.maxSeconds)) : min;
  return { min, max };
}

/**
 * The wait-and-check loop's schedule: check → not ready → `nextCheckDelay` → wait
 * `waitSeconds` → check again, until it answers "deadline-passed".
 *
 * - attempt 0: check at once (0 s), whatever the time.
 * - attempt n ≥ 1, before the deadline: wait min·2^(n-1) seconds, capped at max, and never past
 *   the deadline: the last wait ends at the deadline (rounded up to a whole second, as Step
 *   Functions timeouts are), so one final check runs there.
 * - attempt n ≥ 1, now ≥ deadline: "deadline-passed" (that final check has run).
 *
 * Waits are whole seconds ≥ 1 after the first check (a min below 1 counts as 1), so time advances
 * with every check and the loop ends after at most 1 + ⌈deadline − startedAt⌉ checks.
 */
export function nextCheckDelay(input: CheckScheduleInput): NextCheck {
  if (input.attempt <= 0) return { kind: "check", waitSeconds: 0 };
  const remainingSeconds = (input.deadline.getTime() - input.now.getTime()) / 1000;
  if (!(remainingSeconds > 0)) return { kind: "deadline-passed" };
  const { min, max } = boundsOf(input);
  const backoff = Math.min(max, min * 2 ** Math.min(input.attempt - 1, 52));
  return { kind: "check", waitSeconds: Math.min(backoff, Math.ceil(remainingSeconds)) };
}

export function deadlineFrom(startedAt: Date, timeoutSeconds: number): Date {
  return new Date(startedAt.getTime() + timeoutSeconds * 1000);
}

/**
 * The waits of the whole loop when every check finds nothing and takes no time: the first entry
 * is the 0 s before the first check, the last ends at the deadline.
 */
export function plannedWaits(input: {
  startedAt: Date;
  deadline: Date;
  minSeconds: number;
  maxSeconds: number;
}): number[] {
  const waits: number[] = [];
  let now = input.startedAt;
  for (let attempt = 0; ; attempt += 1) {
    const next = nextCheckDelay({ ...input, attempt, now });
    if (next.kind === "deadline-passed") return waits;
    waits.push(next.waitSeconds);
    now = new Date(now.getTime() + next.waitSeconds * 1000);
  }
}
