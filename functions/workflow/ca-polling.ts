import type { WorkflowSettings } from "./workflow-settings.ts";

/**
 * Wait before the next poll of the CA. Attempt 0 is the answer to the request itself (the CA was
 * just asked to validate or to issue): look again at once, since CAs often finish within
 * milliseconds. After that: the CA's Retry-After when given, else doubling backoff.
 */
export function caPollDelaySeconds(
  settings: WorkflowSettings,
  attempt: number,
  retryAfterSeconds: number | undefined,
): number {
  if (retryAfterSeconds === undefined && attempt === 0) return 0;
  const backoff = settings.caPollMinSeconds * 2 ** Math.max(0, attempt - 1);
  const chosen = retryAfterSeconds ?? Math.min(backoff, settings.caPollMaxSeconds);
  return Math.max(1, Math.ceil(chosen));
}
