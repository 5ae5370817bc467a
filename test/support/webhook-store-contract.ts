import { describe, expect, it } from "vitest";
import { InvalidListCursor } from "../../functions/adapters/aws/order-list-cursor.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import type {
  DeliveryAttempt,
  WebhookDelivery,
  WebhookEndpoint,
} from "../../functions/ports/webhook-store.ts";

export type WebhookStoreFactory = () => OrderStore | Promise<OrderStore>;

export function sampleEndpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    endpointId: "wh_00000000000000000001",
    tenantId: "tenant-a",
    url: "https://hooks.example.com/certflow",
    createdAt: "2026-11-02T10:00:00.000Z",
    state: "active",
    ...overrides,
  };
}

export function sampleDelivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    deliveryId: "msg_aaaaaaaaaaaaaaaaaaaaaaaaaa",
    endpointId: "wh_00000000000000000001",
    tenantId: "tenant-a",
    eventType: "order.status_changed",
    body: '{"type":"order.status_changed"}',
    createdAt: "2026-11-02T10:00:00.000Z",
    state: "pending",
    attempts: 0,
    nextAttemptAt: "2026-11-02T10:00:00.000Z",
    ...overrides,
  };
}

function attemptOf(delivery: WebhookDelivery, number: number, at: string): DeliveryAttempt {
  return {
    deliveryId: delivery.deliveryId,
    endpointId: delivery.endpointId,
    eventType: delivery.eventType,
    attempt: number,
    at,
    outcome: "failed",
    statusCode: 500,
    durationMs: 12,
  };
}

/** What every order store keeps of webhooks, in memory and on DynamoDB alike. */
export function describeWebhookStoreContract(name: string, makeStore: WebhookStoreFactory) {
  describe(`${name}: webhooks`, () => {
    it("keeps a tenant's endpoints apart from another tenant's, and lists active ones oldest first", async () => {
      const store = await makeStore();
      const first = sampleEndpoint();
      const second = sampleEndpoint({
        endpointId: "wh_00000000000000000002",
        createdAt: "2026-11-02T11:00:00.000Z",
        events: ["order.status_changed"],
      });
      const other = sampleEndpoint({ endpointId: "wh_00000000000000000003", tenantId: "tenant-b" });
      for (const endpoint of [second, first, other]) await store.putWebhookEndpoint(endpoint);

      expect(await store.listWebhookEndpoints("tenant-a")).toEqual([first, second]);
      expect(await store.getWebhookEndpoint("tenant-b", first.endpointId)).toBeUndefined();
      expect(await store.getWebhookEndpoint("tenant-a", second.endpointId)).toEqual(second);
      await expect(store.putWebhookEndpoint(first)).rejects.toThrow();
    });

    it("deletes an endpoint once, and only its own tenant may", async () => {
      const store = await makeStore();
      const endpoint = sampleEndpoint();
      await store.putWebhookEndpoint(endpoint);

      expect(
        await store.deleteWebhookEndpoint("tenant-b", endpoint.endpointId, "2026-11-03T00:00:00Z"),
      ).toBe(false);
      expect(
        await store.deleteWebhookEndpoint("tenant-a", endpoint.endpointId, "2026-11-03T00:00:00Z"),
      ).toBe(true);
      expect(
        await store.deleteWebhookEndpoint("tenant-a", endpoint.endpointId, "2026-11-03T00:00:00Z"),
      ).toBe(false);
      expect(await store.listWebhookEndpoints("tenant-a")).toEqual([]);
      expect(await store.getWebhookEndpoint("tenant-a", endpoint.endpointId)).toMatchObject({
        state: "deleted",
        deletedAt: "2026-11-03T00:00:00Z",
      });
    });

    it("writes a delivery once, and records each attempt once, newest first in the log", async () => {
      const store = await makeStore();
      const delivery = sampleDelivery();
      expect(await store.createWebhookDelivery(delivery)).toBe(true);
      expect(await store.createWebhookDelivery({ ...delivery, body: "other" })).toBe(false);

      const first = attemptOf(delivery, 1, "2026-11-02T10:00:01.000Z");
      const changes = {
        state: "pending" as const,
        attempts: 1,
        firstAttemptAt: first.at,
        nextAttemptAt: "2026-11-02T10:00:06.000Z",
      };
      expect(await store.recordDeliveryAttempt(delivery, changes, first)).toBe(true);
      // A second worker that read the delivery before the first attempt was recorded loses.
      expect(await store.recordDeliveryAttempt(delivery, changes, first)).toBe(false);
      const waiting = await store.getWebhookDelivery(delivery.endpointId, delivery.deliveryId);
      expect(waiting).toEqual({ ...delivery, ...changes });

      const second = {
        ...attemptOf(delivery, 2, "2026-11-02T10:00:06.000Z"),
        outcome: "delivered" as const,
        statusCode: 200,
      };
      if (waiting === undefined) throw new Error("no delivery");
      expect(
        await store.recordDeliveryAttempt(waiting, { state: "delivered", attempts: 2 }, second),
      ).toBe(true);
      const delivered = await store.getWebhookDelivery(delivery.endpointId, delivery.deliveryId);
      expect(delivered?.state).toBe("delivered");
      expect(delivered?.nextAttemptAt).toBeUndefined();

      const page = await store.listDeliveryAttempts(delivery.endpointId, { limit: 1 });
      expect(page.attempts).toEqual([second]);
      expect(page.nextCursor).toBeTypeOf("string");
      const rest = await store.listDeliveryAttempts(delivery.endpointId, {
        limit: 5,
        cursor: page.nextCursor,
      });
      expect(rest.attempts).toEqual([first]);
      expect(rest.nextCursor).toBeUndefined();
      await expect(
        store.listDeliveryAttempts(delivery.endpointId, { limit: 5, cursor: "bm90LWEtY3Vyc29y" }),
      ).rejects.toBeInstanceOf(InvalidListCursor);
      expect(
        (await store.listDeliveryAttempts("wh_00000000000000000009", { limit: 5 })).attempts,
      ).toEqual([]);
    });
  });
}
