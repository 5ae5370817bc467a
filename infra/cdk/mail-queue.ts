import { Duration, Validations } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Mails the sender takes from the queue at a time (README, "Scale"). */
export const MAIL_SENDER_BATCH_SIZE = 10;

/**
 * Senders running at once at most (the event source's maximum concurrency; 2 is the least it
 * takes): each paces at SES's rate divided by them (README, "Scale").
 */
export const MAIL_SENDERS = 2;

/**
 * The mail queue: every mail the service sends waits there for the sender, which hands it to
 * SES within the account's sending rate. Mails carry approval links, whose secret makes them
 * worth protecting: encrypted at rest by SQS, TLS only, sent to by the mailing functions and
 * read by the sender alone (their grants). A mail handed back five times (throttled, or SES
 * refusing the account) goes to the queue's own dead-letter queue, kept 14 days for a redrive.
 */
export class MailQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  /** `senderTimeout`: how long one call of the sender may take. */
  constructor(scope: Construct, id: string, props: { readonly senderTimeout: Duration }) {
    super(scope, id);
    this.deadLetters = new Queue(this, "DeadLetters", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This is the dead-letter queue of the mail queue.",
    });
    this.queue = new Queue(this, "Mails", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // SQS's advice for a Lambda source: six times the function's timeout. A throttled mail
      // comes back after it, within the 10 minutes SES asks to wait.
      visibilityTimeout: Duration.seconds(props.senderTimeout.toSeconds() * 6),
      // Days of backlog: a stopped sender loses no mail over a weekend.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
  }
}
