import type { OrderEvent } from "../../functions/domain/order-record.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";

/** One readable line for an order's history event, as the terminal shows it. */
export function orderEventLine(orderId: string, event: OrderEvent): string {
  const status = event.status === undefined ? "" : ` ${event.status}`;
  return `${orderId}${status}: ${event.message}`;
}

/**
 * The order store, telling `print` one line for every event it records in an order's history:
 * what a person following the local service in a terminal wants to see.
 */
export function printingOrderEvents(store: OrderStore, print: (line: string) => void): OrderStore {
  return {
    ...store,
    async create(order, event, claim) {
      const result = await store.create(order, event, claim);
      if (result.created) print(orderEventLine(result.order.orderId, event));
      return result;
    },
    async update(order, changes, event) {
      const updated = await store.update(order, changes, event);
      if (event !== undefined) print(orderEventLine(order.orderId, event));
      return updated;
    },
  };
}
