import { failedMail, instructionsMail, issuedMail } from "../../mail/order-mails.ts";
import { loadOrder, noteEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";

async function noteMailed(deps: WorkflowDependencies, orderId: string, what: string, to: string) {
  await updateOrder(deps.store, orderId, () => ({
    changes: {},
    event: noteEvent(deps.clock.now(), "mail", `${what} mailed to ${to}.`),
  }));
}

export async function sendValidationInstructions(
  deps: WorkflowDependencies,
  input: { orderId: string },
) {
  const order = await loadOrder(deps.store, input.orderId);
  await deps.mailer.send(instructionsMail(order, deps.settings.publicApiUrl));
  await noteMailed(deps, order.orderId, "Validation instructions", order.contact.email);
  return {};
}

export async function sendIssuedMail(deps: WorkflowDependencies, input: { orderId: string }) {
  const order = await loadOrder(deps.store, input.orderId);
  await deps.mailer.send(issuedMail(order, deps.settings.publicApiUrl));
  await noteMailed(deps, order.orderId, "Issuance notice", order.contact.email);
  return {};
}

export async function sendFailureMail(deps: WorkflowDependencies, input: { orderId: string }) {
  const order = await loadOrder(deps.store, input.orderId);
  if (order.status !== "FAILED") return {};
  await deps.mailer.send(failedMail(order));
  await noteMailed(deps, order.orderId, "Failure notice", order.contact.email);
  return {};
}
