import { randomBytes } from "node:crypto";
import * as z from "zod/mini";
import {
  MAX_ENDPOINTS_PER_TENANT,
  MAX_WEBHOOK_URL_LENGTH,
  WEBHOOK_EVENT_TYPES,
} from "../../domain/webhook-rules.ts";
import { newSigningSecret } from "../../webhooks/signing.ts";
import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { webhookView } from "../tenant-webhook.ts";

const webhookSchema = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(MAX_WEBHOOK_URL_LENGTH)),
  events: z.optional(z.array(z.enum(WEBHOOK_EVENT_TYPES)).check(z.minLength(1), z.maxLength(20))),
});

/**
 * Registers a webhook endpoint for the caller's tenant. Its URL must be https and lead to a
 * public address now (and again at every delivery). The signing secret is made here, stored
 * sealed in the vault, and shown in this answer only.
 */
export const route = declareRoute(
  "POST /v1/webhooks",
  {
    name: "CreateWebhook",
    body: { contentType: "application/json", schema: webhookSchema },
    needs: { table: "write", vaultWrite: ["webhook-secrets"], webhooks: true },
  },
  async (deps, { body, principal }) => {
    const check = await deps.webhookClient.checkEndpoint(body.url);
    if (!check.ok) throw new ApiError(422, check.cause, check.detail);
    const existing = await deps.store.listWebhookEndpoints(principal.tenantId);
    if (existing.length >= MAX_ENDPOINTS_PER_TENANT) {
      throw new ApiError(
        409,
        "WEBHOOK_LIMIT_REACHED",
        `A tenant may have ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one first.`,
      );
    }
    const endpointId = `wh_${randomBytes(10).toString("hex")}`;
    const secret = newSigningSecret();
    // The secret first: an endpoint is never stored without one.
    await deps.vault.putWebhookSecret(endpointId, secret);
    const endpoint = {
      endpointId,
      tenantId: principal.tenantId,
      url: body.url,
      ...(body.events === undefined ? {} : { events: [...new Set(body.events)] }),
      createdAt: deps.clock.now().toISOString(),
      state: "active" as const,
    };
    await deps.store.putWebhookEndpoint(endpoint);
    return jsonResponse(
      201,
      { ...webhookView(endpoint), secret },
      { location: `/v1/webhooks/${endpointId}`, "cache-control": "no-store" },
    );
  },
);
