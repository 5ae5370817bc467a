import { notFound } from "../api-errors.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantWebhook } from "../tenant-webhook.ts";

/**
 * Deletes one of the caller's tenant's endpoints: it gets nothing more (retries waiting for it
 * give up), and its secret is overwritten in the vault.
 */
export const route = declareRoute(
  "DELETE /v1/webhooks/{id}",
  { name: "DeleteWebhook", needs: { table: "write", vaultWrite: ["webhook-secrets"] } },
  async (deps, { event, principal }) => {
    const endpoint = await tenantWebhook(deps, event, principal);
    const deleted = await deps.store.deleteWebhookEndpoint(
      principal.tenantId,
      endpoint.endpointId,
      deps.clock.now().toISOString(),
    );
    if (!deleted) throw notFound(`Webhook ${endpoint.endpointId}`);
    await deps.vault.eraseWebhookSecret(endpoint.endpointId);
    return { statusCode: 204, headers: {}, body: "" };
  },
);
