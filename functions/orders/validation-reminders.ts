import type { Clock } from "../domain/clock.ts";
import type { OrderEvent, OrderRecord } from "../domain/order-record.ts";
import { REMINDER_MARKS, type ReminderMark } from "../domain/validation-reminders.ts";
import { reminderMail, reminderMarkText, reminderTimeLeft } from "../mail/reminder-mails.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { noteEvent, updateOrder } from "./order-updates.ts";

/**
 * Mailing the validation reminders (domain/validation-reminders.ts) from the wait for the
 * customer: record, then send, then note.
 *
 * - Record: the turn that finds a reminder due records its mark on the order in the same
 *   versioned write as its checks, so the decision is taken on the order as stored (a customer's
 *   check that found everything meanwhile, or a mark an earlier run recorded, is seen; a
 *   conflicting write decides again).
 * - Send, then note "Reminder sent: …" in the order's history.
 *
 * A recorded mark without its note is a reminder still to mail: the retry of the turn, or the
 * next turn, mails it. So a stop between record and send loses no reminder, and a stop between
 * send and note mails it once more (one duplicate, never none). Sending first and recording
 * after would mail before the write that decides it holds, for an order a customer's check may
 * have just found complete.
 */

/** The history line of a reminder mailed with `left` of the validation time left. */
export function reminderSentMessage(mark: ReminderMark, left: string, to: string): string {
  return `Reminder sent: ${reminderMarkText(mark)} has passed (${left} left); mailed to ${to}.`;
}

/** The events since the order last began waiting for validation. */
function sinceValidationStarted(history: readonly OrderEvent[]): readonly OrderEvent[] {
  let start = 0;
  history.forEach((event, index) => {
    if (event.type === "status" && event.status === "PENDING_VALIDATION") start = index;
  });
  return history.slice(start);
}

/**
 * The reminder recorded on the order and not mailed yet: its latest mark, unless the history
 * notes that reminder's mail (an earlier mark recorded with it is not mailed: it is past).
 */
export function unmailedReminder(
  order: OrderRecord,
  history: readonly OrderEvent[],
): ReminderMark | undefined {
  const latest = Math.max(0, ...(order.validationReminders ?? []));
  const mark = REMINDER_MARKS.find((candidate) => candidate === latest);
  if (mark === undefined) return undefined;
  const noted = `Reminder sent: ${reminderMarkText(mark)} has passed`;
  const mailed = sinceValidationStarted(history).some(
    (event) => event.type === "mail" && event.message.startsWith(noted),
  );
  return mailed ? undefined : mark;
}

/**
 * Mails the reminder of `mark` for `order` as it stands after the check that began at `now`,
 * and notes it in the history. A mail that cannot be sent is logged and left for the next turn
 * (its mark stays recorded without a note): a reminder never fails the order.
 */
export async function mailReminder(
  deps: {
    readonly store: OrderStore;
    readonly mailer: Mailer;
    readonly clock: Clock;
    readonly logError: (error: unknown) => void;
  },
  order: OrderRecord,
  mark: ReminderMark,
  now: Date,
  apiUrl: string,
): Promise<boolean> {
  try {
    await deps.mailer.send(reminderMail(order, mark, now, apiUrl));
  } catch (error) {
    deps.logError(error);
    return false;
  }
  const left = reminderTimeLeft(order, now);
  await updateOrder(deps.store, order.orderId, () => ({
    changes: {},
    event: noteEvent(
      deps.clock.now(),
      "mail",
      reminderSentMessage(mark, left, order.contact.email),
    ),
  }));
  return true;
}
