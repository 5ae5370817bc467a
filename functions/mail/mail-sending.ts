import type { TokenBucket } from "../domain/token-bucket.ts";
import type { Mailer, MailMessage } from "../ports/mailer.ts";

/**
 * SES's sending rate for an account out of the sandbox until AWS raises it, in mails a second:
 * the mail queue's senders share it (README, "Scale").
 */
export const SES_DEFAULT_MAX_SEND_RATE = 14;

/**
 * Why SES did not take a mail, by the error's name:
 * - `throttled`: over the account's sending rate or daily quota ("Maximum sending rate
 *   exceeded", "Daily message quota exceeded"); SES asks to wait up to 10 minutes.
 * - `account`: nothing this account sends goes out until an operator acts (sending paused or
 *   suspended, the sender's MAIL FROM domain or configuration set missing); the mail is kept.
 * - `mail`: this mail can never go (SES rejected its content or its parameters); sending it again
 *   would fail the same way.
 * - `other`: anything else (a network error, SES's own failure): worth another try.
 */
export type SendRefusal = "throttled" | "account" | "mail" | "other";

const REFUSALS: ReadonlyMap<string, SendRefusal> = new Map([
  ["ThrottlingException", "throttled"],
  ["Throttling", "throttled"],
  ["TooManyRequestsException", "throttled"],
  ["LimitExceededException", "throttled"],
  ["SendingPausedException", "account"],
  ["AccountSuspendedException", "account"],
  ["MailFromDomainNotVerifiedException", "account"],
  ["NotFoundException", "account"],
  ["MessageRejected", "mail"],
  ["BadRequestException", "mail"],
]);

export function refusalOf(error: unknown): SendRefusal {
  return REFUSALS.get(errorName(error)) ?? "other";
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}

/** A mail SES did not take, named by SES's error only: a mail's content is never logged. */
export class MailNotSent extends Error {
  override readonly name = "MailNotSent";
}

export interface MailSendingDeps {
  /** Hands one mail to SES. */
  readonly mailDelivery: Mailer;
  /** The sender's share of SES's rate: a token per mail. */
  readonly bucket: TokenBucket;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logError: (error: unknown) => void;
}

/** What became of a batch: the mails handed back to the queue (by index), and those dropped. */
export interface MailBatchOutcome {
  readonly failed: readonly number[];
  readonly sent: number;
  readonly dropped: number;
}

/**
 * Sends a batch from the mail queue, each mail when the bucket gives it a token (the sends
 * overlap, so a slow answer from SES does not slow the pace). A mail SES throttled, or refused
 * for the whole account, is handed back, and so is the rest of the batch, unsent: SES would
 * refuse those too. A mail SES can never take is dropped with a log line naming SES's error.
 * Any other failure hands that mail back.
 */
export async function sendMails(
  deps: MailSendingDeps,
  messages: readonly MailMessage[],
): Promise<MailBatchOutcome> {
  const failed = new Set<number>();
  let stopped = false;
  let sent = 0;
  let dropped = 0;
  const sends: Promise<void>[] = [];
  for (const [index, message] of messages.entries()) {
    if (!stopped) await deps.sleep(deps.bucket.take());
    if (stopped) {
      failed.add(index);
      continue;
    }
    sends.push(
      deps.mailDelivery.send(message).then(
        () => {
          sent += 1;
        },
        (error: unknown) => {
          const refusal = refusalOf(error);
          const name = errorName(error);
          if (refusal === "mail") {
            dropped += 1;
            deps.logError(
              new MailNotSent(`SES refused a mail for good (${name}): dropped, not sent again.`),
            );
            return;
          }
          failed.add(index);
          if (refusal === "throttled" || refusal === "account") stopped = true;
          deps.logError(
            new MailNotSent(
              refusal === "other"
                ? `SES did not take a mail (${name}): it goes back to the queue.`
                : `SES refused to send (${name}): the mail and the rest of its batch go back to the queue.`,
            ),
          );
        },
      ),
    );
  }
  await Promise.all(sends);
  return { failed: [...failed].sort((a, b) => a - b), sent, dropped };
}
