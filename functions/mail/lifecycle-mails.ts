import type { OrderRecord } from "../domain/order-record.ts";
import type { MailMessage } from "../ports/mailer.ts";
import { orderLine } from "./order-mails.ts";

/**
 * The certificate ends in `days` days and no renewal will replace it (`reason` says why, in
 * the customer's words): what to do before the servers using it stop working.
 */
export function expiringMail(order: OrderRecord, days: number, reason: string): MailMessage {
  const name = order.names[0]?.display ?? order.orderId;
  const failing = order.autoRenew !== false && order.renewal?.lastFailure !== undefined;
  return {
    to: [order.contact.email],
    subject: `Certificate expiring in ${days} day${days === 1 ? "" : "s"}: ${name}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `The certificate ${order.certificate?.serialNumber ?? ""} of ${orderLine(order)} ends at ${order.certificate?.notAfter ?? "its end"}.`,
      `It will not be replaced on its own: ${reason}.`,
      "",
      failing
        ? `Fix the cause above, then renew now: POST /v1/orders/${order.orderId}/renewals (the service also tries again every day).`
        : order.autoRenew === false
          ? `Switch automatic renewal on (PUT /v1/orders/${order.orderId}/renewal {"autoRenew": true}) or renew now: POST /v1/orders/${order.orderId}/renewals.`
          : "Place a new order to keep a certificate on these names after that date.",
    ].join("\n"),
  };
}

/**
 * A certificate of the order was revoked (`current`: the one its servers should be serving, so
 * the order is REVOKED; otherwise an earlier, superseded one, and the order goes on).
 */
export function revokedMail(
  order: OrderRecord,
  revoked: { readonly serialNumber: string; readonly reason: string; readonly by: string },
  current: boolean,
): MailMessage {
  const name = order.names[0]?.display ?? order.orderId;
  return {
    to: [order.contact.email],
    subject: `Certificate revoked: ${name}`,
    text: [
      `Hello ${order.contact.name},`,
      "",
      `The certificate ${revoked.serialNumber} of ${orderLine(order)} was revoked at the request of ${revoked.by} (reason: ${revoked.reason}).`,
      "Clients that check revocation refuse it from now on.",
      "",
      current
        ? "Servers still using it need a new certificate: place a new order for these names."
        : `The order's current certificate (${order.certificate?.serialNumber ?? "none"}) is not affected; remove the revoked one from any server still using it.`,
    ].join("\n"),
  };
}
