import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute(
  "GET /v1/orders/{id}/history",
  { name: "GetOrderHistory", needs: { table: "read" } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    return jsonResponse(200, {
      id: order.orderId,
      events: await deps.store.history(order.orderId),
    });
  },
);
