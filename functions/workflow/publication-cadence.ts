import { type NextCheck, nextCheck } from "../domain/check-cadence.ts";
import type { ValidationRecord } from "../domain/order-record.ts";
import { cadenceMarkTimes, type ValidationWindow } from "../domain/validation-reminders.ts";
import type { WorkflowSettings } from "./workflow-settings.ts";

/** The wait for the customer began when its deadline was set, one validation timeout before it. */
export function validationWindow(deadline: Date, settings: WorkflowSettings): ValidationWindow {
  return {
    startedAt: new Date(deadline.getTime() - settings.validationTimeoutSeconds * 1000),
    deadline,
  };
}

/**
 * The next check of the wait for the customer, after a turn that began at `now`; a turn ends at
 * the last reminder's mark (validation-reminders.ts).
 */
export function nextPublicationCheck(
  deadline: Date,
  settings: WorkflowSettings,
  now: Date,
): NextCheck {
  const window = validationWindow(deadline, settings);
  return nextCheck({
    ...window,
    now,
    cadence: settings.checkCadence,
    marks: cadenceMarkTimes(window),
  });
}

/** Names still waiting are all approved by email: nothing to look at until an approver acts. */
export function waitsOnlyForApprovers(validations: readonly ValidationRecord[]): boolean {
  const waiting = validations.filter((validation) => validation.status === "pending");
  return waiting.length > 0 && waiting.every((v) => v.instructions.method === "email");
}

/**
 * The next turn of the wait for these validations: the cadence of checks, or — when only
 * approvers are awaited, whose decision wakes the wait itself — one turn up to the deadline.
 */
export function nextWaitTurn(
  validations: readonly ValidationRecord[],
  deadline: Date,
  settings: WorkflowSettings,
  now: Date,
): NextCheck {
  if (!waitsOnlyForApprovers(validations)) return nextPublicationCheck(deadline, settings, now);
  const remainingSeconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
  return remainingSeconds > 0
    ? { kind: "check", waitSeconds: remainingSeconds }
    : { kind: "deadline-passed" };
}
