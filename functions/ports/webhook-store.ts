import type { WebhookEventType } from "../domain/webhook-rules.ts";

/**
 * A tenant's webhook endpoint. Its signing secret is never here: it lives encrypted in the
 * vault (`webhook-secrets/<endpointId>`) and is shown to the customer once, at registration.
 */
export interface WebhookEndpoint {
  readonly endpointId: string;
  readonly tenantId: string;
  readonly url: string;
  /** The event types it gets; absent: all of them. */
  readonly events?: readonly WebhookEventType[];
  readonly createdAt: string;
  readonly state: "active" | "deleted";
  readonly deletedAt?: string;
}

export type DeliveryState = "pending" | "delivered" | "failed";

/**
 * One event for one endpoint: the same body and `webhook-id` on every attempt. A pending
 * delivery has its next attempt due at `nextAttemptAt`; the store is where a delivery waiting
 * for its retry is kept, so a host that stops loses none.
 */
export interface WebhookDelivery {
  /** The `webhook-id`: `msg_` and 26 base32 characters, derived from the event and endpoint. */
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly tenantId: string;
  readonly eventType: string;
  /** The JSON body, exactly as signed and sent. */
  readonly body: string;
  readonly createdAt: string;
  readonly state: DeliveryState;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly firstAttemptAt?: string;
  readonly nextAttemptAt?: string;
}

/** What one attempt to deliver found, as `GET /v1/webhooks/{id}/deliveries` lists it. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly eventType: string;
  /** 1 for the first attempt of a delivery. */
  readonly attempt: number;
  readonly at: string;
  readonly outcome: "delivered" | "failed";
  /** The receiver's HTTP status, when it answered. */
  readonly statusCode?: number;
  /** Why no answer counted: TIMEOUT, CONNECTION_REFUSED, ADDRESS_NOT_PUBLIC, TLS_ERROR, … */
  readonly cause?: string;
  readonly detail?: string;
  readonly durationMs: number;
  /** When the delivery is tried again; absent when it was delivered or given up. */
  readonly nextRetryAt?: string;
  /** The start of the receiver's answer, at most 200 characters. */
  readonly responseExcerpt?: string;
}

export interface AttemptPage {
  readonly attempts: readonly DeliveryAttempt[];
  readonly nextCursor?: string;
}

export interface WebhookStore {
  /** Writes a new endpoint; never overwrites one. */
  putWebhookEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  /** The tenant's endpoint (deleted ones too), or undefined: another tenant's is never found. */
  getWebhookEndpoint(tenantId: string, endpointId: string): Promise<WebhookEndpoint | undefined>;
  /** The tenant's active endpoints, oldest first. */
  listWebhookEndpoints(tenantId: string): Promise<readonly WebhookEndpoint[]>;
  /** Marks an active endpoint deleted: false when it was not active (or does not exist). */
  deleteWebhookEndpoint(tenantId: string, endpointId: string, at: string): Promise<boolean>;
  /**
   * Writes a delivery unless one with its id exists: true when this call wrote it, false when
   * it was there (a repeated fan-out of the same event).
   */
  createWebhookDelivery(delivery: WebhookDelivery): Promise<boolean>;
  getWebhookDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery | undefined>;
  /**
   * Records an attempt: the delivery's new state (written only while it still has
   * `attempt.attempt - 1` attempts, so of two workers on one delivery one records) and the
   * attempt in the endpoint's log. False when another attempt was recorded first.
   */
  recordDeliveryAttempt(
    delivery: WebhookDelivery,
    changes: Pick<WebhookDelivery, "state" | "attempts"> &
      Partial<Pick<WebhookDelivery, "firstAttemptAt" | "nextAttemptAt">>,
    attempt: DeliveryAttempt,
  ): Promise<boolean>;
  /** An endpoint's attempts, newest first, at most `limit` a page. */
  listDeliveryAttempts(
    endpointId: string,
    options: { readonly limit: number; readonly cursor?: string },
  ): Promise<AttemptPage>;
}
