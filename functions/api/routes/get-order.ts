import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute(
  "GET /v1/orders/{id}",
  { name: "GetOrder", needs: { table: "read" } },
  async (deps, { event, principal }) =>
    jsonResponse(200, orderView(await tenantOrder(deps, event, principal))),
);
