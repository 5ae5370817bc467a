import {
  awaitsPublication,
  type DueReminder,
  dueReminder,
} from "../../domain/validation-reminders.ts";
import { caaForbidsMessage } from "../../orders/caa-checks.ts";
import { checkMessage, lastCheckNumber } from "../../orders/order-rounds.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import {
  allNamesPublished,
  checkPublications,
  declinedValidation,
  mergeChecks,
  summarizeChecks,
} from "../../orders/publication-checks.ts";
import { mailReminder, unmailedReminder } from "../../orders/validation-reminders.ts";
import { nextWaitTurn, validationWindow } from "../publication-cadence.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderInWaitTurn, endTurn, lookIsDue, type TurnEnd } from "../wait-loop.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

/** Within the function's timeout, leaving time to record what was found. */
const CHECKS_TIME_BOUND_MS = 20_000;

/** The turn's wait runs from its start: its checks end in the first half of it. */
function checksTimeBoundMs(waitSeconds: number): number {
  return Math.min(CHECKS_TIME_BOUND_MS, (waitSeconds * 1000) / 2);
}

/**
 * One turn of the wait for the customer (see wait-loop.ts): checks every record or file the
 * customer was asked to publish, records the check in the order's history, keeps the task token
 * for the customer's "verify now", and wakes the execution itself once everything is published.
 * At the first turn after half and after 90 % of the validation time, it mails the customer a
 * reminder with the check's results (see orders/validation-reminders.ts for why a mark is
 * recorded with the check, before the mail goes).
 */
export const step = declareStep(
  "WaitForCustomerToPublish",
  {
    input: byOrderInWaitTurn,
    needs: {
      table: "write",
      dcv: true,
      mail: true,
      workflow: ["states:SendTaskSuccess", "states:SendTaskFailure"],
    },
  },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    if (order.status !== "PENDING_VALIDATION") {
      throw new OrderNotInStep(
        `Order ${order.orderId} is ${order.status}, not PENDING_VALIDATION.`,
      );
    }
    const now = deps.clock.now();
    if (!lookIsDue(input.turn, now)) {
      // Re-entered at once after a change of cadence: park, unless a customer's check found
      // everything while no task was waiting to be woken.
      const parked = await updateOrder(deps.store, order, () => ({
        changes: { waitToken: input.taskToken },
      }));
      const declined = declinedValidation(parked.validations);
      const end: TurnEnd =
        declined !== undefined
          ? { kind: "failed", error: "ApprovalDeclined", cause: declined }
          : allNamesPublished(parked.validations)
            ? { kind: "done" }
            : { kind: "wait", waitSeconds: input.turn.waitSeconds };
      await endTurn(deps.workflow, input.taskToken, input.turn, end, now);
      return {};
    }
    const checked = await checkPublications(
      order,
      deps.dcv,
      now,
      checksTimeBoundMs(input.turn.waitSeconds),
    );
    const deadline = new Date(order.validationDeadline ?? now.toISOString());
    const next = checked.allPublished
      ? undefined
      : // From the turn's start, as its timeout runs: the check's own time is inside the wait.
        nextWaitTurn(checked.validations, deadline, deps.settings, now);
    const outcome =
      next === undefined
        ? "everything is published"
        : next.kind === "deadline-passed"
          ? "the deadline has passed"
          : `next check in ${next.waitSeconds} s`;
    // The count goes on where it was, also in a resumed execution.
    const history = await deps.store.history(order.orderId);
    const number = lastCheckNumber(history) + 1;
    const window = validationWindow(deadline, deps.settings);
    const updated = await updateOrder(deps.store, order, (current) => {
      // Merged per name: a name the CA validated or a customer's check meanwhile stays. The token
      // is stored in the same write, so a customer's check either sees it or was merged here.
      const validations = mergeChecks(current.validations, checked.validations).validations;
      // A reminder due now is recorded with the check, and mailed below.
      const reminder: DueReminder | undefined = dueReminder({
        ...window,
        now,
        sent: current.validationReminders ?? [],
        awaitingPublication: awaitsPublication(validations),
      });
      return {
        changes: {
          validations,
          waitToken: input.taskToken,
          ...(reminder === undefined ? {} : { validationReminders: reminder.sent }),
        },
        event: noteEvent(
          now,
          "check",
          checkMessage(number, `${summarizeChecks(checked.validations)}; ${outcome}.`),
        ),
      };
    });
    const end: TurnEnd = allNamesPublished(updated.validations)
      ? { kind: "done" }
      : next === undefined
        ? { kind: "wait", waitSeconds: input.turn.waitSeconds }
        : next.kind === "check"
          ? { kind: "wait", waitSeconds: next.waitSeconds }
          : {
              kind: "failed",
              error: "ValidationTimedOut",
              cause: "The validation deadline passed before every record or file was published.",
            };
    // An approver declined (while no task was waiting to be failed), or CAA changed since the
    // order was placed and now forbids the CA: it cannot issue.
    const declined = declinedValidation(updated.validations);
    const caaForbids = caaForbidsMessage(updated.validations);
    const turnEnd: TurnEnd =
      declined !== undefined
        ? { kind: "failed", error: "ApprovalDeclined", cause: declined }
        : end.kind !== "done" && caaForbids !== undefined
          ? { kind: "failed", error: "CaaForbids", cause: caaForbids }
          : end;
    // The reminder recorded now, or recorded by a run of this turn that stopped before mailing.
    const reminder = unmailedReminder(updated, history);
    if (
      reminder !== undefined &&
      turnEnd.kind === "wait" &&
      awaitsPublication(updated.validations)
    ) {
      await mailReminder(deps, updated, reminder, now, deps.settings.publicApiUrl);
    }
    await endTurn(deps.workflow, input.taskToken, input.turn, turnEnd, now);
    return {};
  },
);
