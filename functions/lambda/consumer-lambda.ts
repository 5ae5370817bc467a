import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import middy from "@middy/core";
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  SQSBatchResponse,
  SQSEvent,
} from "aws-lambda";
import type { ConsumerDeclaration } from "../events/consumer-declaration.ts";
import type { DeliveryMessage } from "../ports/delivery-queue.ts";
import type { MailMessage } from "../ports/mailer.ts";
import type { OrderEventRecord } from "../webhooks/order-event-payloads.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";

type BatchResponse = DynamoDBBatchResponse | SQSBatchResponse;

/** A message of the batch and the id Lambda retries it by; undefined: unreadable, skipped. */
interface Item {
  readonly message: unknown;
  readonly identifier: string;
}

const ORDER_PARTITION = "ORDER#";

/** The order table's stream: each new history event (the event source's filter keeps only those). */
export function orderEventsOf(event: DynamoDBStreamEvent): Item[] {
  const items: Item[] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const identifier = record.dynamodb?.SequenceNumber ?? "";
    if (image === undefined) continue;
    // The stream's attribute values are DynamoDB's own shape, as the SDK's unmarshall reads.
    const { PK, SK, ...historyEvent } = unmarshall(
      image as unknown as Parameters<typeof unmarshall>[0],
    );
    if (typeof PK !== "string" || !PK.startsWith(ORDER_PARTITION) || typeof SK !== "string") {
      continue;
    }
    const message: OrderEventRecord = {
      orderId: PK.slice(ORDER_PARTITION.length),
      eventKey: SK,
      event: historyEvent as OrderEventRecord["event"],
    };
    items.push({ message, identifier });
  }
  return items;
}

/** The delivery queue's messages; one that is not a delivery message is logged and dropped. */
export function deliveryMessagesOf(event: SQSEvent): Item[] {
  const items: Item[] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as Partial<DeliveryMessage>;
      if (
        typeof message.tenantId === "string" &&
        typeof message.endpointId === "string" &&
        typeof message.deliveryId === "string" &&
        typeof message.dueAt === "string"
      ) {
        items.push({ message, identifier: record.messageId });
        continue;
      }
    } catch {
      // logged below
    }
    logger.warn("dropped a message that is not a delivery", { messageId: record.messageId });
  }
  return items;
}

/** The mail queue's messages; one that is not a mail is logged (by its id only) and dropped. */
export function mailMessagesOf(event: SQSEvent): Item[] {
  const items: Item[] = [];
  for (const record of event.Records) {
    try {
      const { to, subject, text, html } = JSON.parse(record.body) as Partial<MailMessage>;
      if (
        Array.isArray(to) &&
        to.length > 0 &&
        to.every((address) => typeof address === "string") &&
        typeof subject === "string" &&
        typeof text === "string" &&
        (html === undefined || typeof html === "string")
      ) {
        const message: MailMessage = { to, subject, text, ...(html === undefined ? {} : { html }) };
        items.push({ message, identifier: record.messageId });
        continue;
      }
    } catch {
      // logged below
    }
    logger.warn("dropped a message that is not a mail", { messageId: record.messageId });
  }
  return items;
}

/** A batch's messages, read as the consumer's source has them. */
function itemsOf(consumer: ConsumerDeclaration, event: DynamoDBStreamEvent | SQSEvent): Item[] {
  switch (consumer.source) {
    case "order-events":
      return orderEventsOf(event as DynamoDBStreamEvent);
    case "webhook-deliveries":
      return deliveryMessagesOf(event as SQSEvent);
    case "mail-queue":
      return mailMessagesOf(event as SQSEvent);
  }
}

/**
 * The Lambda handler of a consumer's function: fed by the order table's stream, the delivery
 * queue or the mail queue, as its declaration's source says. Messages the consumer could not handle are
 * reported back (ReportBatchItemFailures), so only they are handed again.
 */
export function consumerLambda(consumer: ConsumerDeclaration, providers: AwsProviders) {
  const run = consumer.bind(composeAws(providers));
  return middy<DynamoDBStreamEvent | SQSEvent, BatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ consumer: consumer.name });
      const items = itemsOf(consumer, event);
      const { failed } = await run(items.map((item) => item.message));
      return {
        batchItemFailures: failed.flatMap((index) => {
          const item = items[index];
          return item === undefined ? [] : [{ itemIdentifier: item.identifier }];
        }),
      };
    });
}
