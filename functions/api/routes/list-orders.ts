import { domainToASCII } from "node:url";
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
    const domain =
      query.domain === undefined || query.domain.trim() === ""
        ? undefined
        : listedName(query.domain);
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError(400, "INVALID_LIMIT", "limit must be an integer from 1 to 100.");
    }
    const page = await deps.store
      .listByTenant(principal.tenantId, {
        status: status as (typeof ORDER_STATUSES)[number] | undefined,
        ...(domain === undefined ? {} : { domain }),
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

/**
 * The `domain` query as the orders hold their names: lower case, punycode, without a trailing
 * dot (`Bücher.example.` finds `xn--bcher-kva.example`); a wildcard as `*.` and its base.
 */
function listedName(query: string): string {
  const text = query.trim().toLowerCase().replace(/\.$/, "");
  const wildcard = text.startsWith("*.");
  const base = wildcard ? text.slice(2) : text;
  const ascii = /^[\x21-\x7e]+$/.test(base) ? base : domainToASCII(base);
  if (ascii === "" || ascii.length > 253 || !/^[a-z0-9.-]+$/.test(ascii)) {
    throw new ApiError(
      400,
      "INVALID_DOMAIN",
      "domain must be a domain name, as in shop.example.com or *.example.com.",
    );
  }
  return wildcard ? `*.${ascii}` : ascii;
}
