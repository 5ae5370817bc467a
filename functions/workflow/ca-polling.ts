import type { WorkflowSettings } from "./workflow-settings.ts";

/** Wait before the next poll of the CA: its Retry-After when given, else doubling backoff. */
export function caPollDelaySeconds(
  settings: WorkflowSettings,
  attempt: number,
  retryAfterSeconds: number | undefined,
): number {
  const backoff = settings.caPollMinSeconds * 2 ** Math.max(0, attempt - 1);
  const chosen = retryAfterSeconds ?? Math.min(backoff, settings.caPollMaxSeconds);
  return Math.max(1, Math.ceil(chosen));
}
