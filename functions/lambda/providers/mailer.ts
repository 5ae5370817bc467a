import type { Mailer } from "../../ports/mailer.ts";
import { AWS_ENVIRONMENT, type Environment, requiredSetting } from "../aws-environment.ts";

/**
 * Mail onto the mail queue, which the mail sender (functions/events/consumers/send-mails.ts)
 * empties at SES's sending rate. SQS's SDK package and the adapter load with the first message,
 * not when the function starts: most calls of the functions that may mail (reminders while
 * waiting for the customer, renewal notices, a review's rejection) send none.
 */
export function mailer(env: Environment): Mailer {
  const queueUrl = requiredSetting(env, AWS_ENVIRONMENT.mailQueueUrl);
  let queue: Promise<Mailer> | undefined;
  const load = () => {
    queue ??= Promise.all([
      import("@aws-sdk/client-sqs"),
      import("../../adapters/aws/sqs-mail-queue.ts"),
    ]).then(([{ SQSClient }, { createSqsMailQueue }]) =>
      createSqsMailQueue({ client: new SQSClient({}), queueUrl }),
    );
    return queue;
  };
  return {
    async send(message) {
      await (await load()).send(message);
    },
  };
}
