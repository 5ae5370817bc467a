export type NextCheck =
  | { readonly kind: "check"; readonly waitSeconds: number }
  | { readonly kind: "deadline-passed" };

/**
 * The wait-and-check loop's schedule. `attempt` counts the checks already done. The first
 * check runs at once; then waits double from `minSeconds` up to `maxSeconds`; a wait never
 * reaches past the deadline, so the last check happens at the deadline; once a check has run
 * at or after the deadline, the answer is "deadline-passed". The loop therefore always ends.
 */
export function nextCheckDelay(input: {
  attempt: number;
  startedAt: Date;
  deadline: Date;
  now: Date;
  minSeconds: number;
  maxSeconds: number;
}): NextCheck {
  if (input.attempt === 0) return { kind: "check", waitSeconds: 0 };
  const remaining = (input.deadline.getTime() - input.now.getTime()) / 1000;
  if (remaining <= 0) return { kind: "deadline-passed" };
  const backoff = Math.min(input.maxSeconds, input.minSeconds * 2 ** (input.attempt - 1));
  return { kind: "check", waitSeconds: Math.min(backoff, remaining) };
}

export function deadlineFrom(startedAt: Date, timeoutSeconds: number): Date {
  return new Date(startedAt.getTime() + timeoutSeconds * 1000);
}
