import { createTokenBucket, type TokenBucket } from "../../domain/token-bucket.ts";
import { SES_DEFAULT_MAX_SEND_RATE, sendMails } from "../../mail/mail-sending.ts";
import { declareConsumer } from "../consumer-declaration.ts";

/**
 * This sender's share of SES's rate, kept while its function stays warm: at most `mailSenders`
 * senders run at once, so together they stay under the rate.
 */
let bucket: TokenBucket | undefined;

const sleep = (ms: number) =>
  ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Hands the mails of the mail queue to SES, at the deployment's share of SES's sending rate. */
export const consumer = declareConsumer(
  {
    name: "SendMails",
    description: "mails from the mail queue to SES, within SES's sending rate",
    source: "mail-queue",
    needs: { mailDelivery: true },
  },
  async (deps, messages) => {
    const rate = deps.settings.sesMaxSendRate ?? SES_DEFAULT_MAX_SEND_RATE;
    bucket ??= createTokenBucket({
      ratePerSecond: rate / (deps.settings.mailSenders ?? 1),
      burst: 1,
      nowMs: () => performance.now(),
    });
    const { failed } = await sendMails(
      { mailDelivery: deps.mailDelivery, bucket, sleep, logError: deps.logError },
      messages,
    );
    return { failed };
  },
);
