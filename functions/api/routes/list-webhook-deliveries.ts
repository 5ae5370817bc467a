import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { attemptView, tenantWebhook } from "../tenant-webhook.ts";

/**
 * Every attempt to deliver to one of the caller's endpoints, newest first (`limit`, at most
 * 100, and `cursor`): status code, duration, next retry, a short excerpt of the answer.
 */
export const route = declareRoute(
  "GET /v1/webhooks/{id}/deliveries",
  { name: "ListWebhookDeliveries", needs: { table: "read" } },
  async (deps, { event, principal }) => {
    const endpoint = await tenantWebhook(deps, event, principal);
    const query = event.queryStringParameters ?? {};
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError(400, "INVALID_LIMIT", "limit must be an integer from 1 to 100.");
    }
    const page = await deps.store
      .listDeliveryAttempts(endpoint.endpointId, { limit, cursor: query.cursor })
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === "InvalidListCursor") {
          throw new ApiError(400, "INVALID_CURSOR", "cursor is not one this listing handed out.");
        }
        throw error;
      });
    return jsonResponse(200, {
      deliveries: page.attempts.map(attemptView),
      nextCursor: page.nextCursor,
    });
  },
);
