import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { declareConsumer } from "../../../../functions/events/consumer-declaration.ts";
import type { OrderStore } from "../../../../functions/ports/order-store.ts";
import type { WebhookEndpoint } from "../../../../functions/ports/webhook-store.ts";
import type { OrderEventRecord } from "../../../../functions/webhooks/order-event-payloads.ts";
import { createLocalOrderEvents } from "../../../../infra/local/local-order-events.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const AT = new Date("2026-03-01T10:00:00Z");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const endpoint = (endpointId: string): WebhookEndpoint => ({
  endpointId,
  tenantId: "tenant-a",
  url: `https://hooks.example/${endpointId}`,
  createdAt: AT.toISOString(),
  state: "active",
});

/**
 * The local host's feeding store over a memory store that counts its endpoint listings; `gate`,
 * when given, holds each endpoint write until it resolves.
 */
function world(gate?: Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), "certflow-order-events-"));
  dirs.push(dataDir);
  const events = createLocalOrderEvents({
    dataDir,
    clock: fixedClock(AT),
    allowLoopback: true,
    logError: (error) => {
      throw error;
    },
  });
  const memory = createMemoryOrderStore(fixedClock(AT));
  let listings = 0;
  const counted: OrderStore = {
    ...memory,
    listWebhookEndpoints: (tenantId) => {
      listings += 1;
      return memory.listWebhookEndpoints(tenantId);
    },
    putWebhookEndpoint: async (written) => {
      await gate;
      await memory.putWebhookEndpoint(written);
    },
  };
  const fed: OrderEventRecord[] = [];
  const consumer = declareConsumer(
    { name: "Recording", description: "records", source: "order-events", needs: {} },
    async (_, records) => {
      fed.push(...records);
      return { failed: [] };
    },
  );
  events.start({ dependenciesFor: () => ({}) } as never, [
    { declaration: consumer, modulePath: "test", exportName: "consumer" },
  ]);
  return { events, store: events.feeding(counted), listings: () => listings, fed };
}

describe("the local host's order events", () => {
  it("hand each recorded event to the consumer with the order as that write left it", async () => {
    const { events, store, fed } = world();
    await store.create(sampleOrder({ orderId: "ord_fed1" }), sampleEvent(AT, "Order received."));
    const created = await store.get("ord_fed1");
    if (created === undefined) throw new Error("not created");
    const updated = await store.update(created, { waitToken: "t-1" }, sampleEvent(AT, "Parked."));
    await events.close();

    expect(fed.map((record) => [record.event.message, record.order?.version])).toEqual([
      ["Order received.", created.version],
      ["Parked.", updated.version],
    ]);
    expect(fed[1]?.order?.waitToken).toBe("t-1");
  });

  it("list a tenant's endpoints once, and again after one of them is written", async () => {
    const { events, store, listings } = world();
    await store.putWebhookEndpoint(endpoint("wh_1"));

    await store.listWebhookEndpoints("tenant-a");
    const again = await store.listWebhookEndpoints("tenant-a");
    expect(listings()).toBe(1);
    expect(again.map((listed) => listed.endpointId)).toEqual(["wh_1"]);

    await store.putWebhookEndpoint(endpoint("wh_2"));
    const afterPut = await store.listWebhookEndpoints("tenant-a");
    expect(afterPut.map((listed) => listed.endpointId).sort()).toEqual(["wh_1", "wh_2"]);

    await store.deleteWebhookEndpoint("tenant-a", "wh_1", AT.toISOString());
    const afterDelete = await store.listWebhookEndpoints("tenant-a");
    expect(
      afterDelete.filter((listed) => listed.state === "active").map((listed) => listed.endpointId),
    ).toEqual(["wh_2"]);
    expect(listings()).toBe(3);
    await events.close();
  });

  it("do not keep a listing that began before an endpoint was written", async () => {
    const { events, store } = world();
    const before = store.listWebhookEndpoints("tenant-a");
    await store.putWebhookEndpoint(endpoint("wh_1"));
    await before;

    const after = await store.listWebhookEndpoints("tenant-a");
    expect(after.map((listed) => listed.endpointId)).toEqual(["wh_1"]);
    await events.close();
  });

  it("do not keep a listing made while an endpoint was being written", async () => {
    let release = () => {};
    const { events, store } = world(new Promise<void>((resolve) => (release = resolve)));
    const writing = store.putWebhookEndpoint(endpoint("wh_1"));
    const during = await store.listWebhookEndpoints("tenant-a");
    release();
    await writing;

    const after = await store.listWebhookEndpoints("tenant-a");
    expect(during).toEqual([]);
    expect(after.map((listed) => listed.endpointId)).toEqual(["wh_1"]);
    await events.close();
  });
});
