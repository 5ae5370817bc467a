import type { Duration } from "aws-cdk-lib";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { consumerQueue } from "./consumer-queue.ts";

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
    // A throttled mail comes back after the visibility timeout (six times the sender's), within
    // the 10 minutes SES asks to wait; 4 days of backlog lose no mail over a weekend.
    ({ queue: this.queue, deadLetters: this.deadLetters } = consumerQueue(this, {
      id: "Mails",
      consumerTimeout: props.senderTimeout,
      deadLetterReason: "This is the dead-letter queue of the mail queue.",
    }));
  }
}
