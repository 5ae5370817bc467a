import type { OrderEvent, OrderRecord, OrderStatusName } from "../domain/order-record.ts";
import { assertTransition } from "../domain/order-status.ts";
import { type OrderStore, VersionConflict } from "../ports/order-store.ts";

export type OrderChanges = Parameters<OrderStore["update"]>[1];

export class OrderNotFound extends Error {
  override readonly name = "OrderNotFound";
  constructor(orderId: string) {
    super(`Order ${orderId} does not exist.`);
  }
}

export async function loadOrder(store: OrderStore, orderId: string): Promise<OrderRecord> {
  const order = await store.get(orderId);
  if (order === undefined) throw new OrderNotFound(orderId);
  return order;
}

/**
 * Lets `decide` compute a change from the order as stored, and writes it conditionally on that
 * version; on a concurrent write it reads again and decides again. Given the order a caller has
 * just read, the first attempt decides on that (no second read): a write since makes the
 * conditional write fail, and the order is read again. `decide` returns undefined when there is
 * nothing to change (the step already happened); on the caller's record that answer is not read
 * again, so it and the record answered are as of the caller's read (give the id when that read
 * may be old news for such an answer).
 */
export async function updateOrder(
  store: OrderStore,
  orderOrId: OrderRecord | string,
  decide: (order: OrderRecord) => { changes: OrderChanges; event?: OrderEvent } | undefined,
): Promise<OrderRecord> {
  const orderId = typeof orderOrId === "string" ? orderOrId : orderOrId.orderId;
  let read: OrderRecord | undefined = typeof orderOrId === "string" ? undefined : orderOrId;
  for (let attempt = 1; ; attempt++) {
    const order = read ?? (await loadOrder(store, orderId));
    read = undefined;
    const decision = decide(order);
    if (decision === undefined) return order;
    const { changes, event } = decision;
    if (changes.status !== undefined && changes.status !== order.status) {
      assertTransition(order.status, changes.status);
    }
    try {
      return await store.update(order, changes, event);
    } catch (error) {
      if (!(error instanceof VersionConflict) || attempt >= 5) throw error;
    }
  }
}

export function statusEvent(at: Date, status: OrderStatusName, message: string): OrderEvent {
  return { at: at.toISOString(), type: "status", status, message };
}

export function noteEvent(at: Date, type: string, message: string): OrderEvent {
  return { at: at.toISOString(), type, message };
}
