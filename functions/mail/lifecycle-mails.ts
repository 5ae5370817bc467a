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
