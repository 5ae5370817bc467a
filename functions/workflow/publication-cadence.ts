import { type NextCheck, nextCheck } from "../domain/check-cadence.ts";
import type { WorkflowSettings } from "./workflow-settings.ts";

/**
 * The next check of the wait for the customer, after a turn that began at `now`. The wait began
 * when its deadline was set, one validation timeout before it.
 */
export function nextPublicationCheck(
  deadline: Date,
  settings: WorkflowSettings,
  now: Date,
): NextCheck {
  return nextCheck({
    startedAt: new Date(deadline.getTime() - settings.validationTimeoutSeconds * 1000),
    deadline,
    now,
    cadence: settings.checkCadence,
  });
}
