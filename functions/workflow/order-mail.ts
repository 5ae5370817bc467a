import type { Clock } from "../domain/clock.ts";
import type { OrderRecord } from "../domain/order-record.ts";
import { mailedMessage, wasMailed } from "../orders/order-rounds.ts";
import { loadOrder, noteEvent, updateOrder } from "../orders/order-updates.ts";
import type { Mailer, MailMessage } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { declareStep, type StepDeclaration } from "./step-declaration.ts";
import { byOrder } from "./step-inputs.ts";
import type { WorkflowSettings } from "./workflow-settings.ts";

/**
 * Mails the order's contact and notes it in the order's history, unless the history shows this
 * mail (`what`) was sent in the order's current attempt. `compose` answers undefined when the
 * order is in no state for this mail.
 */
export async function mailOrder(
  deps: { readonly store: OrderStore; readonly mailer: Mailer; readonly clock: Clock },
  orderId: string,
  what: string,
  compose: (order: OrderRecord) => MailMessage | undefined,
): Promise<Record<string, never>> {
  await mailOrderAsRead(deps, await loadOrder(deps.store, orderId), what, compose);
  return {};
}

/**
 * mailOrder for an order the caller has just read; answers the order as stored after (as read,
 * when nothing was mailed).
 */
export async function mailOrderAsRead(
  deps: { readonly store: OrderStore; readonly mailer: Mailer; readonly clock: Clock },
  order: OrderRecord,
  what: string,
  compose: (order: OrderRecord) => MailMessage | undefined,
): Promise<OrderRecord> {
  const message = compose(order);
  if (message === undefined) return order;
  // Once per order, kind and attempt: a rerun (a retry, a resumed execution) finds the send
  // recorded. It is recorded right after it succeeds, so a stop in between repeats it once.
  if (wasMailed(await deps.store.history(order.orderId), what)) return order;
  await deps.mailer.send(message);
  return updateOrder(deps.store, order, () => ({
    changes: {},
    event: noteEvent(deps.clock.now(), "mail", mailedMessage(what, order.contact.email)),
  }));
}

const MAIL_STEP_NEEDS = { table: "write", mail: true } as const;

/**
 * Declares a step that mails the order's contact: `what` names the mail in the order's history;
 * `compose` answers undefined when the order is in no state for it.
 */
export function declareMailStep(
  state: string,
  what: string,
  compose: (order: OrderRecord, settings: WorkflowSettings) => MailMessage | undefined,
): StepDeclaration {
  return declareStep(state, { input: byOrder, needs: MAIL_STEP_NEEDS }, (deps, input) =>
    mailOrder(deps, input.orderId, what, (order) => compose(order, deps.settings)),
  );
}
