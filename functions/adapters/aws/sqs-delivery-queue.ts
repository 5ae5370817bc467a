import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeliveryMessage, DeliveryQueue } from "../../ports/delivery-queue.ts";

/** SQS delays a message 15 minutes at most: a later attempt's message is delayed again on arrival. */
export const MAX_DELAY_SECONDS = 900;

const BATCH = 10;

/** The delay of a message due at `dueAt`, as SQS takes it (whole seconds, at most 15 minutes). */
export function delaySecondsUntil(dueAt: string, now: Date): number {
  const seconds = Math.ceil((new Date(dueAt).getTime() - now.getTime()) / 1000);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Number.isFinite(seconds) ? seconds : 0));
}

export class QueueRefused extends Error {
  override readonly name = "QueueRefused";
}

/** The delivery queue on SQS: one message per due attempt, delayed until it is due (or 15 min). */
export function createSqsDeliveryQueue(options: {
  readonly client: Pick<SQSClient, "send">;
  readonly queueUrl: string;
  readonly now?: () => Date;
}): DeliveryQueue {
  const now = options.now ?? (() => new Date());
  return {
    async schedule(messages: readonly DeliveryMessage[]) {
      for (let start = 0; start < messages.length; start += BATCH) {
        const batch = messages.slice(start, start + BATCH);
        const answer = await options.client.send(
          new SendMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
              DelaySeconds: delaySecondsUntil(message.dueAt, now()),
            })),
          }),
        );
        if ((answer.Failed?.length ?? 0) > 0) {
          const codes = [...new Set(answer.Failed?.map((failure) => failure.Code))].join(", ");
          throw new QueueRefused(
            `SQS refused ${answer.Failed?.length} of ${batch.length} messages (${codes}).`,
          );
        }
      }
    },
  };
}
