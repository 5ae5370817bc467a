import { type SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Mailer } from "../../ports/mailer.ts";

export function createSesMailer(options: {
  client: SESv2Client;
  from: string;
  configurationSetName?: string;
}): Mailer {
  return {
    async send(message) {
      await options.client.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [...message.to] },
          ConfigurationSetName: options.configurationSetName,
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: "UTF-8" },
              Body: {
                Text: { Data: message.text, Charset: "UTF-8" },
                ...(message.html === undefined
                  ? {}
                  : { Html: { Data: message.html, Charset: "UTF-8" } }),
              },
            },
          },
        }),
      );
    },
  };
}
