import type { Clock } from "../domain/clock.ts";
import { subscribesTo, webhookEventTypeOf } from "../domain/webhook-rules.ts";
import type { DeliveryMessage, DeliveryQueue } from "../ports/delivery-queue.ts";
import type { EventBus } from "../ports/event-bus.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WebhookEndpoint } from "../ports/webhook-store.ts";
import {
  busEventOf,
  type OrderEventRecord,
  orderEventData,
  webhookBody,
} from "./order-event-payloads.ts";
import { deliveryIdOf } from "./signing.ts";

export interface FanOutDependencies {
  readonly store: OrderStore;
  readonly deliveryQueue: DeliveryQueue;
  readonly eventBus: EventBus;
  readonly clock: Clock;
  readonly logError: (error: unknown) => void;
}

/**
 * Hands each delivered order event (status changes, mails) to EventBridge and to every endpoint
 * of the order's tenant subscribed to its type: one delivery per endpoint, written to the store
 * (pending, due now) and queued. Safe to repeat: a delivery's id is derived from the event and
 * the endpoint, so a repeated record queues the deliveries not yet attempted and adds none.
 * Answers the indexes of the records that failed, to be handed again.
 */
export async function fanOutOrderEvents(
  deps: FanOutDependencies,
  records: readonly OrderEventRecord[],
): Promise<{ readonly failed: readonly number[] }> {
  const failed: number[] = [];
  const endpointsOf = new Map<string, Promise<readonly WebhookEndpoint[]>>();
  for (const [index, record] of records.entries()) {
    try {
      const type = webhookEventTypeOf(record.event.type);
      if (type === undefined) continue;
      const order = record.order ?? (await deps.store.get(record.orderId));
      if (order === undefined) continue;
      let endpoints = endpointsOf.get(order.tenantId);
      if (endpoints === undefined) {
        endpoints = deps.store.listWebhookEndpoints(order.tenantId);
        endpointsOf.set(order.tenantId, endpoints);
      }
      const body = webhookBody(type, record.event.at, orderEventData(order, record.event));
      const now = deps.clock.now().toISOString();
      const messages: DeliveryMessage[] = [];
      for (const endpoint of await endpoints) {
        if (!subscribesTo(endpoint.events, type)) continue;
        const deliveryId = deliveryIdOf(record.orderId, record.eventKey, endpoint.endpointId);
        const created = await deps.store.createWebhookDelivery({
          deliveryId,
          endpointId: endpoint.endpointId,
          tenantId: endpoint.tenantId,
          eventType: type,
          body,
          createdAt: now,
          state: "pending",
          attempts: 0,
          nextAttemptAt: now,
        });
        let dueAt = now;
        if (!created) {
          // Handed before: queue it again only if its first attempt never happened, due when
          // it was (a worker takes a message only for the attempt the delivery waits for).
          const earlier = await deps.store.getWebhookDelivery(endpoint.endpointId, deliveryId);
          if (earlier?.state !== "pending" || earlier.attempts > 0) continue;
          dueAt = earlier.nextAttemptAt ?? now;
        }
        messages.push({
          tenantId: endpoint.tenantId,
          endpointId: endpoint.endpointId,
          deliveryId,
          dueAt,
        });
      }
      await deps.deliveryQueue.schedule(messages);
      await deps.eventBus.publish([busEventOf(type, order, record.event)]);
    } catch (error) {
      deps.logError(error);
      failed.push(index);
    }
  }
  return { failed };
}
