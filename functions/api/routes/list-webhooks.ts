import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { webhookView } from "../tenant-webhook.ts";

/** The caller's tenant's webhook endpoints, oldest first, without their secrets. */
export const route = declareRoute(
  "GET /v1/webhooks",
  { name: "ListWebhooks", needs: { table: "read" } },
  async (deps, { principal }) => {
    const endpoints = await deps.store.listWebhookEndpoints(principal.tenantId);
    return jsonResponse(200, { webhooks: endpoints.map(webhookView) });
  },
);
