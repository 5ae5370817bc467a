import type { ApiDependencies } from "../api-dependencies.ts";
import type { ApiEvent, ApiResult } from "../api-types.ts";
import { orderView } from "../order-view.ts";
import { principalOf } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { tenantOrder } from "../tenant-order.ts";

export async function getOrder(deps: ApiDependencies, event: ApiEvent): Promise<ApiResult> {
  const order = await tenantOrder(deps, event, principalOf(event));
  return jsonResponse(200, orderView(order));
}

export async function getOrderHistory(deps: ApiDependencies, event: ApiEvent): Promise<ApiResult> {
  const order = await tenantOrder(deps, event, principalOf(event));
  return jsonResponse(200, { id: order.orderId, events: await deps.store.history(order.orderId) });
}
