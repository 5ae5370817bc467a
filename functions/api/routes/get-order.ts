import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute, SIGNED_IN } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute({
  name: "GetOrder",
  method: "GET",
  path: "/v1/orders/{id}",
  access: SIGNED_IN,
  needs: { table: "read" },
  handle: async (deps, { event, principal }) =>
    jsonResponse(200, orderView(await tenantOrder(deps, event, principal))),
});
