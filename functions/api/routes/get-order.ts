import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute(
  "GET /v1/orders/{id}",
  { name: "GetOrder", needs: { table: "read" } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    // A renewal in flight shows its own progress in the order's `renewal.status`.
    const renewalId = order.renewal?.inFlight?.orderId;
    const renewing = renewalId === undefined ? undefined : await deps.store.get(renewalId);
    return jsonResponse(200, orderView(order, renewing));
  },
);
