import { jsonResponse } from "../responses.ts";
import { declareRoute, SIGNED_IN } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute({
  name: "GetOrderHistory",
  method: "GET",
  path: "/v1/orders/{id}/history",
  access: SIGNED_IN,
  needs: { table: "read" },
  handle: async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    return jsonResponse(200, {
      id: order.orderId,
      events: await deps.store.history(order.orderId),
    });
  },
});
