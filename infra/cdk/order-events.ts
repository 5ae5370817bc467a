import { Duration, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { EVENT_SORT_KEY_PREFIX } from "../../functions/adapters/aws/order-table-design.ts";
import type { Declared } from "../../functions/composition/service-catalog.ts";
import type { ConsumerDeclaration } from "../../functions/events/consumer-declaration.ts";
import { consumerQueue } from "./consumer-queue.ts";
import { MAIL_SENDER_BATCH_SIZE, MAIL_SENDERS, type MailQueue } from "./mail-queue.ts";
import { ServiceFunction, type ServiceResources } from "./service-function.ts";

/** How long one consumer call may take: a batch of deliveries, each within 15 s, in parallel. */
export const CONSUMER_TIMEOUT = Duration.seconds(60);

/**
 * The delivery queue: webhook deliveries wait there for their attempts (SQS delays a message
 * 15 minutes at most; a later attempt's message is delayed again on arrival). Messages a
 * consumer fails five times, and order events the stream consumer gives up on, go to the
 * dead-letter queue, kept 14 days.
 */
export class DeliveryQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    ({ queue: this.queue, deadLetters: this.deadLetters } = consumerQueue(this, {
      id: "Deliveries",
      consumerTimeout: CONSUMER_TIMEOUT,
      deadLetterReason:
        "This is the dead-letter queue of the delivery queue and of the order-event stream.",
    }));
  }
}

export interface OrderEventConsumersProps {
  readonly resources: ServiceResources;
  readonly table: ITable;
  readonly deliveryQueue: DeliveryQueue;
  readonly mailQueue: MailQueue;
  readonly consumers: readonly Declared<ConsumerDeclaration>[];
}

/**
 * One function per declared consumer, fed by its source: the order table's stream (new
 * history events only, filtered before Lambda is invoked), the delivery queue or the mail
 * queue. Failed messages are reported one by one, so only they are handed again.
 */
export class OrderEventConsumers extends Construct {
  readonly functions = new Map<string, ServiceFunction>();

  constructor(scope: Construct, id: string, props: OrderEventConsumersProps) {
    super(scope, id);
    for (const declared of props.consumers) {
      const { name, description, source } = declared.declaration;
      const handler = new ServiceFunction(this, name, {
        detail: description,
        handler: { kind: "consumer", name, declared },
        resources: props.resources,
        timeout: CONSUMER_TIMEOUT,
      });
      if (source === "order-events") {
        handler.function.addEventSource(
          new DynamoEventSource(props.table, {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: 100,
            bisectBatchOnError: true,
            retryAttempts: 10,
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(props.deliveryQueue.deadLetters),
            filters: [
              FilterCriteria.filter({
                eventName: FilterRule.isEqual("INSERT"),
                dynamodb: { Keys: { SK: { S: FilterRule.beginsWith(EVENT_SORT_KEY_PREFIX) } } },
              }),
            ],
          }),
        );
        Validations.of(handler).acknowledge({
          id: "AwsSolutions-IAM5[Resource::*]",
          reason:
            "X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and the stream's event source (dynamodb:ListStreams) accept no resource but *.",
        });
      } else if (source === "mail-queue") {
        // At most MAIL_SENDERS batches at once, each sender at its share of SES's rate.
        handler.function.addEventSource(
          new SqsEventSource(props.mailQueue.queue, {
            batchSize: MAIL_SENDER_BATCH_SIZE,
            maxConcurrency: MAIL_SENDERS,
            reportBatchItemFailures: true,
          }),
        );
      } else {
        handler.function.addEventSource(
          new SqsEventSource(props.deliveryQueue.queue, {
            batchSize: 10,
            reportBatchItemFailures: true,
          }),
        );
      }
      this.functions.set(name, handler);
    }
  }
}
