import { beforeEach, describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { DeliveryMessage } from "../../../functions/ports/delivery-queue.ts";
import type { BusEvent } from "../../../functions/ports/event-bus.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import type { WebhookAnswer, WebhookRequest } from "../../../functions/ports/webhook-client.ts";
import { CertificateVault } from "../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../functions/vault/key-passphrases.ts";
import { fanOutOrderEvents } from "../../../functions/webhooks/order-event-fan-out.ts";
import type { OrderEventRecord } from "../../../functions/webhooks/order-event-payloads.ts";
import { signWebhook } from "../../../functions/webhooks/signing.ts";
import { workOnDelivery } from "../../../functions/webhooks/webhook-deliveries.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../functions/workflow/workflow-settings.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";
import { sampleEndpoint } from "../../support/webhook-store-contract.ts";

const START = new Date("2027-01-10T08:00:00.000Z");
const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

let clock: ReturnType<typeof fixedClock>;
let store: OrderStore;
let vault: CertificateVault;
let queued: DeliveryMessage[];
let published: BusEvent[];
let sent: WebhookRequest[];
let answers: WebhookAnswer[];

const answered = (statusCode: number): WebhookAnswer => ({
  kind: "answered",
  statusCode,
  durationMs: 3,
  excerpt: statusCode === 200 ? "ok" : "try later",
});

function deps() {
  return {
    store,
    vault,
    clock,
    settings: DEFAULT_WORKFLOW_SETTINGS,
    logError: () => undefined,
    deliveryQueue: {
      async schedule(messages: readonly DeliveryMessage[]) {
        queued.push(...messages);
      },
    },
    eventBus: {
      async publish(events: readonly BusEvent[]) {
        published.push(...events);
      },
    },
    webhookClient: {
      async checkEndpoint() {
        return { ok: true as const };
      },
      async post(request: WebhookRequest) {
        sent.push(request);
        return answers.shift() ?? answered(200);
      },
    },
  };
}

const issuedEvent = (): OrderEventRecord => ({
  orderId: "ord_1",
  eventKey: "EVENT#2027-01-10T08:00:00.000Z#000007",
  event: {
    at: START.toISOString(),
    type: "status",
    status: "ISSUED",
    message: "The certificate was issued.",
  },
});

beforeEach(async () => {
  clock = fixedClock(START);
  store = createMemoryOrderStore(clock);
  vault = new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(new Uint8Array(32)));
  queued = [];
  published = [];
  sent = [];
  answers = [];
  await store.create(sampleOrder({ orderId: "ord_1", tenantId: "tenant-a", status: "ISSUED" }), {
    at: START.toISOString(),
    type: "status",
    status: "SUBMITTED",
    message: "Submitted.",
  });
  await store.putWebhookEndpoint(sampleEndpoint({ endpointId: "wh_00000000000000000001" }));
  await store.putWebhookEndpoint(
    sampleEndpoint({ endpointId: "wh_00000000000000000002", events: ["order.mail_sent"] }),
  );
  await store.putWebhookEndpoint(
    sampleEndpoint({ endpointId: "wh_00000000000000000003", tenantId: "tenant-b" }),
  );
  await vault.putWebhookSecret("wh_00000000000000000001", SECRET);
});

describe("fanning an order event out", () => {
  it("queues one delivery per subscribed endpoint of the order's tenant, due now, and puts the event on the bus", async () => {
    // Act
    const outcome = await fanOutOrderEvents(deps(), [issuedEvent()]);

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(queued).toEqual([
      {
        tenantId: "tenant-a",
        endpointId: "wh_00000000000000000001",
        deliveryId: expect.stringMatching(/^msg_/),
        dueAt: START.toISOString(),
      },
    ]);
    const delivery = await store.getWebhookDelivery(
      "wh_00000000000000000001",
      queued[0]?.deliveryId ?? "",
    );
    expect(JSON.parse(delivery?.body ?? "{}")).toEqual({
      type: "order.status_changed",
      timestamp: START.toISOString(),
      data: {
        orderId: "ord_1",
        status: "ISSUED",
        message: "The certificate was issued.",
        domains: ["shop.example.com"],
        product: "DV",
      },
    });
    expect(published).toEqual([
      {
        source: "certflow",
        detailType: "Order Status Changed",
        time: START.toISOString(),
        detail: expect.objectContaining({
          type: "order.status_changed",
          tenantId: "tenant-a",
          orderId: "ord_1",
          status: "ISSUED",
        }),
      },
    ]);
  });

  it("adds nothing when the same event comes again after its first attempt, and skips events that are not delivered", async () => {
    await fanOutOrderEvents(deps(), [issuedEvent()]);
    await workOnDelivery(deps(), queued[0] as DeliveryMessage);
    queued = [];

    await fanOutOrderEvents(deps(), [
      issuedEvent(),
      { ...issuedEvent(), event: { at: START.toISOString(), type: "check", message: "Check 1" } },
    ]);

    expect(queued).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it("takes the order the record carries as its write left it, without reading it", async () => {
    const stored = await store.get("ord_1");
    if (stored === undefined) throw new Error("no order");
    const carried = {
      ...stored,
      names: [{ ascii: "carried.example.com", display: "carried.example.com", wildcard: false }],
    };
    const reading = {
      ...deps(),
      store: {
        ...store,
        get: async () => {
          throw new Error("read");
        },
      },
    };

    const outcome = await fanOutOrderEvents(reading, [{ ...issuedEvent(), order: carried }]);

    expect(outcome.failed).toEqual([]);
    const delivery = await store.getWebhookDelivery(
      "wh_00000000000000000001",
      queued[0]?.deliveryId ?? "",
    );
    expect(JSON.parse(delivery?.body ?? "{}").data.domains).toEqual(["carried.example.com"]);
  });
});

describe("a stale installation", () => {
  it("goes out as order.installation_stale with the names still serving an earlier certificate", async () => {
    // Prepare: the check at the end of the grace period found the old certificate served.
    const order = await store.get("ord_1");
    if (order === undefined) throw new Error("ord_1 missing");
    await store.update(order, {
      installation: {
        checkedAt: START.toISOString(),
        trigger: "recheck",
        certificateSerial: "0b02",
        results: [
          {
            domain: "shop.example.com",
            host: "shop.example.com",
            ok: false,
            finding: "OLD_CERTIFICATE",
            detail: "…",
            servedSerial: "0a01",
          },
        ],
      },
    });
    const stale: OrderEventRecord = {
      orderId: "ord_1",
      eventKey: "EVENT#2027-01-10T08:00:00.000Z#000009",
      event: {
        at: START.toISOString(),
        type: "installation_stale",
        message: "Renewed, but shop.example.com still serves the old certificate (…).",
      },
    };

    // Act
    await fanOutOrderEvents(deps(), [stale]);

    // Assess: the endpoint subscribed to everything gets it, the mail-only one does not.
    expect(queued.map((message) => message.endpointId)).toEqual(["wh_00000000000000000001"]);
    const delivery = await store.getWebhookDelivery(
      "wh_00000000000000000001",
      queued[0]?.deliveryId ?? "",
    );
    expect(JSON.parse(delivery?.body ?? "{}")).toEqual({
      type: "order.installation_stale",
      timestamp: START.toISOString(),
      data: {
        orderId: "ord_1",
        status: "ISSUED",
        message: "Renewed, but shop.example.com still serves the old certificate (…).",
        domains: ["shop.example.com"],
        product: "DV",
        installation: {
          checkedAt: START.toISOString(),
          certificateSerial: "0b02",
          stale: [{ domain: "shop.example.com", servedSerial: "0a01" }],
        },
      },
    });
    expect(published.map((event) => event.detailType)).toEqual(["Order Installation Stale"]);
  });
});

describe("working on a delivery", () => {
  async function firstMessage() {
    await fanOutOrderEvents(deps(), [issuedEvent()]);
    const message = queued.shift();
    if (message === undefined) throw new Error("nothing queued");
    return message;
  }

  it("sends the body signed with the endpoint's secret, the delivery id as webhook-id", async () => {
    const message = await firstMessage();

    await workOnDelivery(deps(), message);

    const [request] = sent;
    expect(request?.url).toBe("https://hooks.example.com/certflow");
    expect(request?.headers["webhook-id"]).toBe(message.deliveryId);
    expect(request?.headers["webhook-signature"]).toBe(
      signWebhook(SECRET, message.deliveryId, START.getTime() / 1000, request?.body ?? ""),
    );
    const delivery = await store.getWebhookDelivery(message.endpointId, message.deliveryId);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 1 });
    expect(queued).toEqual([]);
  });

  it("after a 500 queues the retry 5 s later (plus up to 10 %), logs it, and delivers the same body then", async () => {
    // Prepare
    const message = await firstMessage();
    answers = [answered(500)];

    // Act
    await workOnDelivery(deps(), message);
    const retry = queued.shift();
    if (retry === undefined) throw new Error("no retry queued");
    clock.set(new Date(retry.dueAt));
    await workOnDelivery(deps(), retry);

    // Assess
    const waited = (Date.parse(retry.dueAt) - START.getTime()) / 1000;
    expect(waited).toBeGreaterThanOrEqual(5);
    expect(waited).toBeLessThanOrEqual(5.5);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(sent[1]?.headers["webhook-id"]).toBe(sent[0]?.headers["webhook-id"]);
    const log = await store.listDeliveryAttempts(message.endpointId, { limit: 10 });
    expect(
      log.attempts.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.outcome]),
    ).toEqual([
      [2, 200, "delivered"],
      [1, 500, "failed"],
    ]);
    expect(log.attempts[1]).toMatchObject({
      nextRetryAt: retry.dueAt,
      responseExcerpt: "try later",
    });
  });

  it("waits again for a message that comes before its attempt is due, and drops an older one", async () => {
    const message = await firstMessage();
    answers = [answered(503)];
    await workOnDelivery(deps(), message);
    const retry = queued.shift() as DeliveryMessage;

    // Act: the retry's message comes a second early; the first message comes again.
    clock.set(new Date(Date.parse(retry.dueAt) - 1000));
    await workOnDelivery(deps(), retry);
    await workOnDelivery(deps(), message);

    // Assess
    expect(queued).toEqual([retry]);
    expect(sent).toHaveLength(1);
  });

  it("gives up after the last attempt, made when the 24 h window ends", async () => {
    // Prepare: every attempt fails.
    const message = await firstMessage();
    answers = Array.from({ length: 20 }, () => answered(500));

    // Act
    let next: DeliveryMessage | undefined = message;
    let attempts = 0;
    while (next !== undefined) {
      clock.set(new Date(Math.max(clock.now().getTime(), Date.parse(next.dueAt))));
      await workOnDelivery(deps(), next);
      attempts++;
      next = queued.shift();
    }

    // Assess
    expect(attempts).toBe(8);
    expect(clock.now().toISOString()).toBe("2027-01-11T08:00:00.000Z");
    const delivery = await store.getWebhookDelivery(message.endpointId, message.deliveryId);
    expect(delivery).toMatchObject({ state: "failed", attempts: 8 });
  });

  it("stops at once when the receiver answers 410 Gone, or the endpoint was deleted", async () => {
    const message = await firstMessage();
    answers = [answered(410)];
    await workOnDelivery(deps(), message);
    expect(queued).toEqual([]);

    await fanOutOrderEvents(deps(), [{ ...issuedEvent(), eventKey: "EVENT#other" }]);
    const second = queued.shift() as DeliveryMessage;
    await store.deleteWebhookEndpoint("tenant-a", second.endpointId, START.toISOString());
    await workOnDelivery(deps(), second);

    expect(sent).toHaveLength(1);
    const log = await store.listDeliveryAttempts(second.endpointId, { limit: 10 });
    expect(log.attempts.find((attempt) => attempt.deliveryId === second.deliveryId)).toMatchObject({
      cause: "ENDPOINT_DELETED",
      outcome: "failed",
    });
  });
});
