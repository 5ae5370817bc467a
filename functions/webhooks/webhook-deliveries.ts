import type { Clock } from "../domain/clock.ts";
import {
  DEFAULT_RETRY_POLICY,
  nextAttemptAt,
  PING_EVENT_TYPE,
  type RetryPolicy,
} from "../domain/webhook-rules.ts";
import type { DeliveryMessage, DeliveryQueue } from "../ports/delivery-queue.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WebhookClient } from "../ports/webhook-client.ts";
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint } from "../ports/webhook-store.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";
import { webhookBody } from "./order-event-payloads.ts";
import { deliveryIdOf, signedHeaders } from "./signing.ts";

export interface AttemptDependencies {
  readonly store: OrderStore;
  readonly vault: CertificateVault;
  readonly webhookClient: WebhookClient;
  readonly clock: Clock;
  readonly settings: WorkflowSettings;
}

export interface DeliveryDependencies extends AttemptDependencies {
  readonly deliveryQueue: DeliveryQueue;
}

/** The retry policy of the deployment: its pauses, or Standard Webhooks' schedule. */
export function retryPolicyOf(settings: WorkflowSettings): RetryPolicy {
  const delays = settings.webhookRetryDelaysSeconds;
  return delays === undefined
    ? DEFAULT_RETRY_POLICY
    : { ...DEFAULT_RETRY_POLICY, delaysSeconds: delays };
}

const isSuccess = (status: number) => status >= 200 && status <= 299;

/** One attempt: signed, sent, judged; the delivery's next state with it. */
async function attempt(
  deps: AttemptDependencies,
  delivery: WebhookDelivery,
  endpoint: WebhookEndpoint | undefined,
  retry: boolean,
): Promise<{
  attempt: DeliveryAttempt;
  changes: Parameters<OrderStore["recordDeliveryAttempt"]>[1];
}> {
  const at = deps.clock.now();
  const number = delivery.attempts + 1;
  const firstAttemptAt = delivery.firstAttemptAt ?? at.toISOString();
  const base = {
    deliveryId: delivery.deliveryId,
    endpointId: delivery.endpointId,
    eventType: delivery.eventType,
    attempt: number,
    at: at.toISOString(),
  };
  const secret =
    endpoint?.state === "active"
      ? await deps.vault.getWebhookSecret(endpoint.endpointId)
      : undefined;
  if (endpoint?.state !== "active" || secret === undefined) {
    return {
      attempt: {
        ...base,
        outcome: "failed",
        cause: "ENDPOINT_DELETED",
        detail: "The endpoint was deleted: nothing was sent.",
        durationMs: 0,
      },
      changes: { state: "failed", attempts: number, firstAttemptAt },
    };
  }
  const answer = await deps.webhookClient.post({
    url: endpoint.url,
    headers: signedHeaders(secret, delivery.deliveryId, at, delivery.body),
    body: delivery.body,
  });
  const delivered = answer.kind === "answered" && isSuccess(answer.statusCode);
  // 410 Gone: the receiver wants no more of this (Standard Webhooks): no retry.
  const gone = answer.kind === "answered" && answer.statusCode === 410;
  const next =
    delivered || gone || !retry
      ? undefined
      : nextAttemptAt({
          firstAttemptAt: new Date(firstAttemptAt),
          attempts: number,
          now: deps.clock.now(),
          policy: retryPolicyOf(deps.settings),
          retryAfterSeconds: answer.kind === "answered" ? answer.retryAfterSeconds : undefined,
        });
  const result: DeliveryAttempt =
    answer.kind === "answered"
      ? {
          ...base,
          outcome: delivered ? "delivered" : "failed",
          statusCode: answer.statusCode,
          durationMs: answer.durationMs,
          ...(answer.excerpt === "" ? {} : { responseExcerpt: answer.excerpt }),
          ...(next === undefined ? {} : { nextRetryAt: next.toISOString() }),
        }
      : {
          ...base,
          outcome: "failed",
          cause: answer.cause,
          detail: answer.detail,
          durationMs: answer.durationMs,
          ...(next === undefined ? {} : { nextRetryAt: next.toISOString() }),
        };
  return {
    attempt: result,
    changes: {
      state: delivered ? "delivered" : next === undefined ? "failed" : "pending",
      attempts: number,
      firstAttemptAt,
      ...(next === undefined ? {} : { nextAttemptAt: next.toISOString() }),
    },
  };
}

/**
 * Works on one queued message. The delivery in the store decides: nothing to do when it is no
 * longer pending; a message that comes before its attempt is due waits again (SQS delays a
 * message 15 minutes at most) if it is the one the delivery waits for, and is dropped if it is
 * an older one. When due: one attempt, and, when it failed within the retry window, the next
 * attempt queued before the attempt is recorded (so no recorded retry is ever without its
 * message; a stop in between leaves a message the delivery does not wait for, dropped then).
 */
export async function workOnDelivery(
  deps: DeliveryDependencies,
  message: DeliveryMessage,
): Promise<void> {
  const delivery = await deps.store.getWebhookDelivery(message.endpointId, message.deliveryId);
  if (delivery?.state !== "pending") return;
  const now = deps.clock.now();
  const due = delivery.nextAttemptAt ?? delivery.createdAt;
  if (now.getTime() < new Date(due).getTime()) {
    if (message.dueAt === due) await deps.deliveryQueue.schedule([message]);
    return;
  }
  const endpoint = await deps.store.getWebhookEndpoint(delivery.tenantId, delivery.endpointId);
  const { attempt: result, changes } = await attempt(deps, delivery, endpoint, true);
  if (changes.nextAttemptAt !== undefined) {
    await deps.deliveryQueue.schedule([{ ...message, dueAt: changes.nextAttemptAt }]);
  }
  await deps.store.recordDeliveryAttempt(delivery, changes, result);
}

/**
 * `POST /v1/webhooks/{id}/ping`: a `webhook.ping` delivery to the one endpoint, attempted once,
 * at once, and logged with its deliveries (no retry: the caller sees the answer).
 */
export async function pingEndpoint(
  deps: AttemptDependencies,
  endpoint: WebhookEndpoint,
): Promise<DeliveryAttempt> {
  const now = deps.clock.now().toISOString();
  const delivery: WebhookDelivery = {
    deliveryId: deliveryIdOf("ping", endpoint.endpointId, now, String(Math.random())),
    endpointId: endpoint.endpointId,
    tenantId: endpoint.tenantId,
    eventType: PING_EVENT_TYPE,
    body: webhookBody(PING_EVENT_TYPE, now, {
      endpointId: endpoint.endpointId,
      message: "A test delivery: this endpoint receives certflow's order events.",
    }),
    createdAt: now,
    state: "pending",
    attempts: 0,
    nextAttemptAt: now,
  };
  await deps.store.createWebhookDelivery(delivery);
  const { attempt: result, changes } = await attempt(deps, delivery, endpoint, false);
  await deps.store.recordDeliveryAttempt(delivery, changes, result);
  return result;
}
