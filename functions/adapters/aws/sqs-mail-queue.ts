import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Mailer, MailMessage } from "../../ports/mailer.ts";

/**
 * A mail as it waits on the mail queue: the rendered mail and nothing else. The sender adds the
 * From address and the configuration set, which are the deployment's.
 */
export function queuedMail(message: MailMessage): MailMessage {
  return {
    to: [...message.to],
    subject: message.subject,
    text: message.text,
    ...(message.html === undefined ? {} : { html: message.html }),
  };
}

/** The mail queue on SQS: one message per mail, for the sender to hand to SES at its pace. */
export function createSqsMailQueue(options: {
  readonly client: Pick<SQSClient, "send">;
  readonly queueUrl: string;
}): Mailer {
  return {
    async send(message) {
      await options.client.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(queuedMail(message)),
        }),
      );
    },
  };
}
