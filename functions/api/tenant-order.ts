import type { OrderRecord } from "../domain/order-record.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { notFound } from "./api-errors.ts";
import type { ApiEvent, Principal } from "./api-types.ts";

/** The order named in the path, if the caller's tenant owns it (operators see every order). */
export async function tenantOrder(
  deps: { readonly store: OrderStore },
  event: ApiEvent,
  principal: Principal,
): Promise<OrderRecord> {
  const orderId = event.pathParameters?.id ?? "";
  const order = /^ord_[A-Za-z0-9]+$/.test(orderId) ? await deps.store.get(orderId) : undefined;
  if (order === undefined) throw notFound(`Order ${orderId}`);
  if (principal.role !== "operator" && order.tenantId !== principal.tenantId) {
    throw notFound(`Order ${orderId}`);
  }
  return order;
}
