import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  DELIVERY_SORT_PREFIX,
  eventSortKey,
  ORDER_TABLE,
} from "../../functions/adapters/aws/order-table-design.ts";
import { createDnsLookup } from "../../functions/adapters/dcv/dns-lookup.ts";
import { createNetworkWebhookClient } from "../../functions/adapters/webhooks/network-webhook-client.ts";
import type { DependencySource } from "../../functions/composition/needs.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import type {
  ConsumerDeclaration,
  ConsumerOutcome,
  ConsumerSource,
} from "../../functions/events/consumer-declaration.ts";
import type { DeliveryMessage, DeliveryQueue } from "../../functions/ports/delivery-queue.ts";
import type { BusEvent, EventBus } from "../../functions/ports/event-bus.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import type { WebhookClient } from "../../functions/ports/webhook-client.ts";
import type { WebhookEndpoint } from "../../functions/ports/webhook-store.ts";
import type { OrderEventRecord } from "../../functions/webhooks/order-event-payloads.ts";

/** Where the events EventBridge would get on AWS are written instead, one JSON line each. */
export const LOCAL_EVENTS_FILE = "events.jsonl";

/** How long a message whose consumer failed waits before it is handed again (as SQS would). */
const RETRY_FAILED_AFTER_MS = 5_000;
/** How often a batch of order events whose fan-out failed is handed again before it is logged. */
const FAN_OUT_TRIES = 3;
/** setTimeout's longest delay; a longer wait is made of several. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface LocalOrderEventsOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly dnsResolver?: string;
  readonly allowLoopback: boolean;
  readonly logError: (error: unknown) => void;
}

/**
 * Order events and webhooks on the local host, where there is no DynamoDB stream, SQS or
 * EventBridge: the order store hands each event it records to the order-events consumer (as
 * the table's stream does on AWS); deliveries wait on timers in this process (as SQS delays
 * them), while the store keeps each pending one with its due time, so a restart queues them
 * again; and the events EventBridge would get are appended to `events.jsonl` in the data
 * directory.
 */
export function createLocalOrderEvents(options: LocalOrderEventsOptions) {
  const consumers = new Map<
    ConsumerSource,
    (messages: readonly unknown[]) => Promise<ConsumerOutcome>
  >();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const consumer = (source: ConsumerSource) => {
    const run = consumers.get(source);
    if (run === undefined) throw new Error(`No consumer of ${source} is declared.`);
    return run;
  };

  const later = (ms: number, work: () => void) => {
    if (closed) return;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (!closed) work();
      },
      Math.min(Math.max(0, ms), LONGEST_TIMER_MS),
    );
    timers.add(timer);
  };

  /** One message at its due time; handed again a little later when its consumer failed. */
  const deliverWhenDue = (message: DeliveryMessage) => {
    const wait = new Date(message.dueAt).getTime() - options.clock.now().getTime();
    if (wait > LONGEST_TIMER_MS) {
      later(LONGEST_TIMER_MS, () => deliverWhenDue(message));
      return;
    }
    later(wait, () => {
      void track(
        consumer("webhook-deliveries")([message]).then(
          (outcome) => outcome.failed.length === 0,
          (error: unknown) => {
            options.logError(error);
            return false;
          },
        ),
      ).then((done) => {
        if (!done) later(RETRY_FAILED_AFTER_MS, () => deliverWhenDue({ ...message }));
      });
    });
  };

  const deliveryQueue: DeliveryQueue = {
    async schedule(messages) {
      for (const message of messages) deliverWhenDue(message);
    },
  };

  const eventBus: EventBus = {
    async publish(events: readonly BusEvent[]) {
      const lines = events.map((event) =>
        JSON.stringify({
          source: event.source,
          "detail-type": event.detailType,
          time: event.time,
          detail: event.detail,
        }),
      );
      if (lines.length > 0) {
        appendFileSync(join(options.dataDir, LOCAL_EVENTS_FILE), `${lines.join("\n")}\n`, {
          mode: 0o600,
        });
      }
    },
  };

  const webhookClient: WebhookClient = createNetworkWebhookClient({
    dns: createDnsLookup({ resolver: options.dnsResolver, timeoutMs: 5_000 }),
    allowLoopback: options.allowLoopback,
  });

  /** Hands the events to the order-events consumer, again on failure, never holding the writer. */
  const feed = (records: OrderEventRecord[]) => {
    if (closed || !consumers.has("order-events")) return;
    void track(
      (async () => {
        let pending = records;
        for (let attempt = 1; attempt <= FAN_OUT_TRIES && pending.length > 0; attempt++) {
          try {
            const { failed } = await consumer("order-events")(pending);
            pending = failed.flatMap((index) => pending[index] ?? []);
          } catch (error) {
            options.logError(error);
          }
        }
      })(),
    );
  };

  return {
    providers: {
      webhookClient: () => webhookClient,
      deliveryQueue: () => deliveryQueue,
      eventBus: () => eventBus,
    },

    /**
     * The order store, handing every event it records to the order-events consumer with the
     * order as written. The local host is its table's only writer, so each tenant's webhook
     * endpoints are listed once and kept until one of them is written.
     */
    feeding(store: OrderStore): OrderStore {
      const endpoints = new Map<string, Promise<readonly WebhookEndpoint[]>>();
      /** Drops the tenant's list before and after the write: a listing under way may miss it. */
      const writingEndpoint = async <T>(tenantId: string, write: () => Promise<T>) => {
        endpoints.delete(tenantId);
        try {
          return await write();
        } finally {
          endpoints.delete(tenantId);
        }
      };
      return {
        ...store,
        async create(order, event, claim) {
          const result = await store.create(order, event, claim);
          if (result.created) {
            feed([
              {
                orderId: order.orderId,
                eventKey: eventSortKey(order.createdAt, 0),
                event,
                order: result.order,
              },
            ]);
          }
          return result;
        },
        async update(order, changes, event) {
          const updated = await store.update(order, changes, event);
          if (event !== undefined) {
            // The key the store wrote the event under (dynamodb-order-store.ts).
            feed([
              {
                orderId: order.orderId,
                eventKey: eventSortKey(event.at, order.version + 1),
                event,
                order: updated,
              },
            ]);
          }
          return updated;
        },
        listWebhookEndpoints(tenantId) {
          let listed = endpoints.get(tenantId);
          if (listed === undefined) {
            listed = store.listWebhookEndpoints(tenantId);
            endpoints.set(tenantId, listed);
            listed.catch(() => endpoints.delete(tenantId));
          }
          return listed;
        },
        putWebhookEndpoint(endpoint) {
          return writingEndpoint(endpoint.tenantId, () => store.putWebhookEndpoint(endpoint));
        },
        deleteWebhookEndpoint(tenantId, endpointId, at) {
          return writingEndpoint(tenantId, () =>
            store.deleteWebhookEndpoint(tenantId, endpointId, at),
          );
        },
      };
    },

    /** Binds the declared consumers to the host's dependencies. */
    start(source: DependencySource, declared: readonly Declared<ConsumerDeclaration>[]) {
      for (const { declaration } of declared) {
        consumers.set(declaration.source, declaration.bind(source));
      }
    },

    /**
     * Queues every delivery the store holds as pending (a Scan: the local table holds one
     * developer's data), each at its due time: what waited for a retry when the host stopped.
     */
    async resumePending(client: DynamoDBClient, tableName: string): Promise<number> {
      const documents = DynamoDBDocumentClient.from(client);
      const messages: DeliveryMessage[] = [];
      let position: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: "begins_with(#sk, :delivery) AND #state = :pending",
            ExpressionAttributeNames: { "#sk": ORDER_TABLE.sortKey, "#state": "state" },
            ExpressionAttributeValues: { ":delivery": DELIVERY_SORT_PREFIX, ":pending": "pending" },
            ExclusiveStartKey: position,
          }),
        );
        for (const item of page.Items ?? []) {
          messages.push({
            tenantId: String(item.tenantId),
            endpointId: String(item.endpointId),
            deliveryId: String(item.deliveryId),
            dueAt: String(item.nextAttemptAt ?? item.createdAt),
          });
        }
        position = page.LastEvaluatedKey;
      } while (position !== undefined);
      await deliveryQueue.schedule(messages);
      return messages.length;
    },

    /** Stops the timers and waits for what is under way (the store keeps what waits). */
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
