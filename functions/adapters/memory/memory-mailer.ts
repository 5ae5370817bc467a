import type { Mailer, MailMessage } from "../../ports/mailer.ts";

export interface MemoryMailer extends Mailer {
  /** Every message sent, oldest first. */
  readonly sent: readonly MailMessage[];
}

export function createMemoryMailer(): MemoryMailer {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(structuredClone(message));
    },
  };
}
