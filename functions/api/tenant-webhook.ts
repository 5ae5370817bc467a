import type { OrderStore } from "../ports/order-store.ts";
import type { DeliveryAttempt, WebhookEndpoint } from "../ports/webhook-store.ts";
import { notFound } from "./api-errors.ts";
import type { ApiEvent, Principal } from "./api-types.ts";

/** Endpoint ids: `wh_` and 80 random bits in hex. */
export const ENDPOINT_ID = /^wh_[0-9a-f]{20}$/;

/**
 * The endpoint named in the path, if it is the caller's tenant's and not deleted: another
 * tenant's endpoint is not found (whatever the caller's role), as a deleted one is.
 */
export async function tenantWebhook(
  deps: { readonly store: OrderStore },
  event: ApiEvent,
  principal: Principal,
): Promise<WebhookEndpoint> {
  const endpointId = event.pathParameters?.id ?? "";
  const endpoint = ENDPOINT_ID.test(endpointId)
    ? await deps.store.getWebhookEndpoint(principal.tenantId, endpointId)
    : undefined;
  if (endpoint?.state !== "active") {
    throw notFound(`Webhook ${ENDPOINT_ID.test(endpointId) ? endpointId : "endpoint"}`);
  }
  return endpoint;
}

/** An endpoint as the API shows it: never its secret. */
export function webhookView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.endpointId,
    url: endpoint.url,
    events: endpoint.events ?? "all",
    createdAt: endpoint.createdAt,
  };
}

/** One attempt as `GET /v1/webhooks/{id}/deliveries` lists it. */
export function attemptView(attempt: DeliveryAttempt) {
  return {
    id: attempt.deliveryId,
    eventType: attempt.eventType,
    attempt: attempt.attempt,
    at: attempt.at,
    outcome: attempt.outcome,
    statusCode: attempt.statusCode,
    cause: attempt.cause,
    detail: attempt.detail,
    durationMs: attempt.durationMs,
    nextRetryAt: attempt.nextRetryAt,
    responseExcerpt: attempt.responseExcerpt,
  };
}
