import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";
import type { DeliveryMessage } from "../ports/delivery-queue.ts";
import type { MailMessage } from "../ports/mailer.ts";
import type { OrderEventRecord } from "../webhooks/order-event-payloads.ts";

/**
 * What a consumer is fed, by source: on AWS the order table's stream (its history events), the
 * delivery queue and the mail queue; locally the order store's new events and the in-process
 * delivery queue (the local host mails directly, so nothing feeds the mail queue's consumer).
 */
export interface ConsumerMessages {
  readonly "order-events": OrderEventRecord;
  readonly "webhook-deliveries": DeliveryMessage;
  readonly "mail-queue": MailMessage;
}

export type ConsumerSource = keyof ConsumerMessages;

export const CONSUMER_SOURCES: readonly ConsumerSource[] = [
  "order-events",
  "webhook-deliveries",
  "mail-queue",
];

/** The messages of a batch that failed, by index: they are handed again (and only they). */
export interface ConsumerOutcome {
  readonly failed: readonly number[];
}

/**
 * A handler fed by a stream or a queue: its name, its source, what it needs and what it does
 * with a batch. Built into its own Lambda function (with the event source its `source` names)
 * and granted like steps and routes. Declarations live in functions/events/consumers/, one per
 * file, exported as `consumer`.
 */
export interface ConsumerDeclaration {
  readonly kind: "consumer";
  /** Also the name of its Lambda function. */
  readonly name: string;
  readonly description: string;
  readonly source: ConsumerSource;
  readonly needs: Needs;
  /** The handler, with the dependencies its needs name from `source`. */
  bind(source: DependencySource): (messages: readonly unknown[]) => Promise<ConsumerOutcome>;
}

export function declareConsumer<const S extends ConsumerSource, const N extends Needs>(
  contract: Pick<ConsumerDeclaration, "name" | "description"> & {
    readonly source: S;
    readonly needs: N;
  },
  run: (
    deps: DependenciesFor<N>,
    messages: readonly ConsumerMessages[S][],
  ) => Promise<ConsumerOutcome>,
): ConsumerDeclaration {
  return {
    kind: "consumer",
    ...contract,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return (messages) => run(deps, messages as readonly ConsumerMessages[S][]);
    },
  };
}
