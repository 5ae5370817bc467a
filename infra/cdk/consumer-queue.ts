import { Duration, Validations } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/**
 * A queue a Lambda function consumes, with a dead-letter queue of its own, made in `scope`:
 * encrypted by SQS, TLS only, the visibility SQS advises for a Lambda source (six times the
 * consumer's timeout), 4 days' retention, and a message that failed five times kept 14 days.
 */
export function consumerQueue(
  scope: Construct,
  props: {
    /** The queue's construct id ("Mails", "Deliveries"). */
    readonly id: string;
    readonly consumerTimeout: Duration;
    /** Why the dead-letter queue has none of its own (cdk-nag's SQS3). */
    readonly deadLetterReason: string;
  },
): { queue: Queue; deadLetters: Queue } {
  const deadLetters = new Queue(scope, "DeadLetters", {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(deadLetters).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: props.deadLetterReason,
  });
  const queue = new Queue(scope, props.id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  return { queue, deadLetters };
}
