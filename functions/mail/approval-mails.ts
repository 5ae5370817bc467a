import { EMAIL_DEPRECATION_WARNING } from "../domain/email-validation-dates.ts";
import type { OrderRecord } from "../domain/order-record.ts";
import type { MailMessage } from "../ports/mailer.ts";

/** Who asks for the certificate, as the approver should read it. */
export function requesterOf(order: OrderRecord): string {
  return order.organization !== undefined
    ? `${order.organization.name} (${order.contact.name}, ${order.contact.email})`
    : `${order.contact.name} (${order.contact.email})`;
}

/** The mail to an approver: what is asked, by whom, until when, and the single-use link. */
export function approvalRequestMail(
  order: OrderRecord,
  approval: { readonly approver: string; readonly names: readonly string[]; readonly url: string },
): MailMessage {
  const displayed = order.names
    .filter((name) => approval.names.includes(name.ascii))
    .map((name) => name.display);
  return {
    to: [approval.approver],
    subject: `Approve a TLS certificate for ${displayed[0] ?? approval.names[0] ?? order.orderId}`,
    text: [
      "Hello,",
      "",
      `${requesterOf(order)} asks for a TLS certificate for:`,
      ...displayed.map((name) => `  ${name}`),
      "",
      `This mail went to ${approval.approver}, an address the CA/Browser Forum rules accept as an administrator of these names.`,
      "If you control these names and expect this certificate, approve it; otherwise decline it.",
      "",
      `Review and decide: ${approval.url}`,
      "",
      `The link works once and until ${order.validationDeadline ?? "the order's deadline"}.`,
      `Note: ${EMAIL_DEPRECATION_WARNING.message}`,
    ].join("\n"),
  };
}
