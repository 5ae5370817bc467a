import { fanOutOrderEvents } from "../../webhooks/order-event-fan-out.ts";
import { declareConsumer } from "../consumer-declaration.ts";

/**
 * Every order event that is delivered (status changes, mails): onto EventBridge's default bus,
 * and into a delivery for each of the tenant's endpoints subscribed to it.
 */
export const consumer = declareConsumer(
  {
    name: "PublishOrderEvents",
    description: "order events to EventBridge and into webhook deliveries",
    source: "order-events",
    needs: { table: "write", deliveryQueue: true, eventBus: true },
  },
  (deps, records) => fanOutOrderEvents(deps, records),
);
