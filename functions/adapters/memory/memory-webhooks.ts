import type {
  DeliveryAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookStore,
} from "../../ports/webhook-store.ts";
import { decodeAttemptCursor, encodeAttemptCursor } from "../aws/dynamodb-webhooks.ts";
import { withoutUndefined } from "../aws/order-item.ts";
import { deliveryAttemptKey } from "../aws/order-table-design.ts";

const copy = <T>(value: T): T => structuredClone(withoutUndefined(value));

/** Webhook endpoints, deliveries and attempts in memory, with the DynamoDB store's semantics. */
export function createMemoryWebhooks(): WebhookStore {
  const endpoints = new Map<string, WebhookEndpoint>();
  const deliveries = new Map<string, WebhookDelivery>();
  /** Attempts by endpoint, each with its sort key. */
  const attempts = new Map<string, { sortKey: string; attempt: DeliveryAttempt }[]>();
  const endpointKey = (tenantId: string, endpointId: string) =>
    JSON.stringify([tenantId, endpointId]);
  const deliveryKey = (endpointId: string, deliveryId: string) =>
    JSON.stringify([endpointId, deliveryId]);

  return {
    async putWebhookEndpoint(endpoint) {
      const key = endpointKey(endpoint.tenantId, endpoint.endpointId);
      if (endpoints.has(key)) throw new Error(`Endpoint ${endpoint.endpointId} exists already.`);
      endpoints.set(key, copy(endpoint));
    },

    async getWebhookEndpoint(tenantId, endpointId) {
      const endpoint = endpoints.get(endpointKey(tenantId, endpointId));
      return endpoint === undefined ? undefined : copy(endpoint);
    },

    async listWebhookEndpoints(tenantId) {
      return [...endpoints.values()]
        .filter((endpoint) => endpoint.tenantId === tenantId && endpoint.state === "active")
        .sort((a, b) =>
          a.createdAt === b.createdAt
            ? a.endpointId.localeCompare(b.endpointId)
            : a.createdAt.localeCompare(b.createdAt),
        )
        .map(copy);
    },

    async deleteWebhookEndpoint(tenantId, endpointId, at) {
      const key = endpointKey(tenantId, endpointId);
      const endpoint = endpoints.get(key);
      if (endpoint?.state !== "active") return false;
      endpoints.set(key, { ...endpoint, state: "deleted", deletedAt: at });
      return true;
    },

    async createWebhookDelivery(delivery) {
      const key = deliveryKey(delivery.endpointId, delivery.deliveryId);
      if (deliveries.has(key)) return false;
      deliveries.set(key, copy(delivery));
      return true;
    },

    async getWebhookDelivery(endpointId, deliveryId) {
      const delivery = deliveries.get(deliveryKey(endpointId, deliveryId));
      return delivery === undefined ? undefined : copy(delivery);
    },

    async recordDeliveryAttempt(delivery, changes, attempt) {
      const key = deliveryKey(delivery.endpointId, delivery.deliveryId);
      const stored = deliveries.get(key);
      if (stored === undefined || stored.attempts !== delivery.attempts) return false;
      const { nextAttemptAt: _next, ...rest } = stored;
      deliveries.set(key, copy({ ...rest, ...changes }));
      const list = attempts.get(attempt.endpointId) ?? [];
      const { SK } = deliveryAttemptKey(
        attempt.endpointId,
        attempt.at,
        attempt.deliveryId,
        attempt.attempt,
      );
      list.push({ sortKey: SK, attempt: copy(attempt) });
      attempts.set(attempt.endpointId, list);
      return true;
    },

    async listDeliveryAttempts(endpointId, { limit, cursor }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be at least 1.");
      const before = cursor === undefined ? undefined : decodeAttemptCursor(cursor);
      const newestFirst = [...(attempts.get(endpointId) ?? [])]
        .filter(({ sortKey }) => before === undefined || sortKey < before)
        .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
      const page = newestFirst.slice(0, limit);
      const last = page.at(-1);
      return {
        attempts: page.map(({ attempt }) => copy(attempt)),
        ...(newestFirst.length > limit && last !== undefined
          ? { nextCursor: encodeAttemptCursor(last.sortKey) }
          : {}),
      };
    },
  };
}
