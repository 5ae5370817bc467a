import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Mailer, MailMessage } from "../../functions/ports/mailer.ts";

/** Where the local service keeps a copy of every mail it sends, across restarts. */
export const MAILS_FOLDER = "mails";

/**
 * The mailer, keeping a readable copy of each mail it sent in `<data dir>/mails/` (the SES
 * emulator forgets its mails when the service stops).
 */
export function keepingMailCopies(mailer: Mailer, dataDir: string, now: () => Date): Mailer {
  const folder = join(dataDir, MAILS_FOLDER);
  let sequence = 0;
  return {
    async send(message: MailMessage) {
      await mailer.send(message);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      sequence += 1;
      const stamp = now().toISOString().replaceAll(":", "-");
      const name = `${stamp}-${String(sequence).padStart(4, "0")}.txt`;
      const text = [
        `To: ${message.to.join(", ")}`,
        `Subject: ${message.subject}`,
        "",
        message.text,
      ];
      writeFileSync(join(folder, name), `${text.join("\n")}\n`, { mode: 0o600 });
    },
  };
}
