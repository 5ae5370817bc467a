import { ORDER_STATUSES } from "../../domain/order-status.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/orders",
  { name: "ListOrders", needs: { table: "read", tableIndexes: ["ByTenant"] } },
  async (deps, { event, principal }) => {
    const query = event.queryStringParameters ?? {};
    const status = query.status;
    if (status !== undefined && !(ORDER_STATUSES as readonly string[]).includes(status)) {
      throw new ApiError(
        400,
        "INVALID_STATUS",
        `status must be one of ${ORDER_STATUSES.join(", ")}.`,
      );
    }
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError(400, "INVALID_LIMIT", "limit must be an integer from 1 to 100.");
    }
    const page = await deps.store
      .listByTenant(principal.tenantId, {
        status: status as (typeof ORDER_STATUSES)[number] | undefined,
        limit,
        cursor: query.cursor,
      })
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === "InvalidListCursor") {
          throw new ApiError(400, "INVALID_CURSOR", "cursor is not one this listing handed out.");
        }
        throw error;
      });
    return jsonResponse(200, {
      orders: page.orders.map((order) => orderView(order)),
      nextCursor: page.nextCursor,
    });
  },
);
