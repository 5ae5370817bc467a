import { pingEndpoint } from "../../webhooks/webhook-deliveries.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { attemptView, tenantWebhook } from "../tenant-webhook.ts";

/**
 * Sends the endpoint a signed `webhook.ping` at once and answers what the receiver did (the
 * attempt is in its deliveries too); a failed ping is not retried.
 */
export const route = declareRoute(
  "POST /v1/webhooks/{id}/ping",
  {
    name: "PingWebhook",
    needs: { table: "write", vaultRead: ["webhook-secrets"], webhooks: true },
  },
  async (deps, { event, principal }) => {
    const endpoint = await tenantWebhook(deps, event, principal);
    const attempt = await pingEndpoint(deps, endpoint);
    return jsonResponse(200, {
      delivered: attempt.outcome === "delivered",
      ...attemptView(attempt),
    });
  },
);
