import type { OrderEvent, OrderRecord } from "../domain/order-record.ts";
import {
  EVENT_DETAIL_TYPES,
  EVENT_SOURCE,
  type PING_EVENT_TYPE,
  type WebhookEventType,
} from "../domain/webhook-rules.ts";
import type { BusEvent } from "../ports/event-bus.ts";

/** One event appended to an order's history, as the table's stream (or the local host) hands it. */
export interface OrderEventRecord {
  readonly orderId: string;
  /** The event's sort key (`EVENT#<at>#<seq>`): with the order id, it names the event. */
  readonly eventKey: string;
  readonly event: OrderEvent;
  /**
   * The order as the write that recorded the event left it, where the host has it (the local
   * host's store hands it over); otherwise it is read (DynamoDB's stream carries the event only).
   */
  readonly order?: OrderRecord;
}

/** What a delivery's `data` holds: the order's facts customers act on, never a secret. */
export function orderEventData(order: OrderRecord, event: OrderEvent): Record<string, unknown> {
  return {
    orderId: order.orderId,
    status: event.status ?? order.status,
    message: event.message,
    domains: order.names.map((name) => name.display),
    product: order.product,
    ...(event.type === "status" && event.status === "FAILED" && order.failure !== undefined
      ? { failure: { code: order.failure.code } }
      : {}),
    ...(((event.type === "status" && event.status === "ISSUED") ||
      event.type === "renewal" ||
      event.type === "expiry_notice") &&
    order.certificate !== undefined
      ? {
          certificate: {
            serialNumber: order.certificate.serialNumber,
            notAfter: order.certificate.notAfter,
          },
        }
      : {}),
    ...(event.type === "installation_stale" ? staleInstallationData(order) : {}),
  };
}

/**
 * For `order.installation_stale`: the names whose server still serves an earlier certificate,
 * as the check at the end of the grace period found them, and the certificate they should serve.
 */
function staleInstallationData(order: OrderRecord): Record<string, unknown> {
  const installation = order.installation;
  if (installation?.trigger !== "recheck") return {};
  return {
    installation: {
      checkedAt: installation.checkedAt,
      certificateSerial: installation.certificateSerial,
      stale: installation.results
        .filter((result) => result.finding === "OLD_CERTIFICATE")
        .map((result) => ({ domain: result.domain, servedSerial: result.servedSerial })),
    },
  };
}

/** The JSON body of a delivery: `{type, timestamp, data}` (Standard Webhooks' payload shape). */
export function webhookBody(
  type: WebhookEventType | typeof PING_EVENT_TYPE,
  timestamp: string,
  data: Record<string, unknown>,
): string {
  return JSON.stringify({ type, timestamp, data });
}

/** The same event for EventBridge's default bus, with the tenant for rules that select by it. */
export function busEventOf(
  type: WebhookEventType,
  order: OrderRecord,
  event: OrderEvent,
): BusEvent {
  return {
    source: EVENT_SOURCE,
    detailType: EVENT_DETAIL_TYPES[type],
    time: event.at,
    detail: { type, tenantId: order.tenantId, ...orderEventData(order, event) },
  };
}
