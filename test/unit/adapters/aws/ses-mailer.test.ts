import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createSesMailer } from "../../../../functions/adapters/aws/ses-mailer.ts";

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

describe("the SES mailer", () => {
  it("sends simple UTF-8 content with text and html", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
    await createSesMailer({
      client: new SESv2Client({}),
      from: "certflow@example.com",
      configurationSetName: "certflow",
    }).send({
      to: ["ada@example.com", "bob@example.com"],
      subject: "Zertifikat für shop.example.com",
      text: "Hallo",
      html: "<p>Hallo</p>",
    });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: "certflow@example.com",
      Destination: { ToAddresses: ["ada@example.com", "bob@example.com"] },
      ConfigurationSetName: "certflow",
      Content: {
        Simple: {
          Subject: { Data: "Zertifikat für shop.example.com", Charset: "UTF-8" },
          Body: {
            Text: { Data: "Hallo", Charset: "UTF-8" },
            Html: { Data: "<p>Hallo</p>", Charset: "UTF-8" },
          },
        },
      },
    });
  });

  it("sends text only when there is no html, and no configuration set unless given", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "m-2" });
    await createSesMailer({ client: new SESv2Client({}), from: "certflow@example.com" }).send({
      to: ["ada@example.com"],
      subject: "Hi",
      text: "Plain",
    });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Content?.Simple?.Body).toEqual({ Text: { Data: "Plain", Charset: "UTF-8" } });
    expect(input?.ConfigurationSetName).toBeUndefined();
  });

  it("passes a rejection on", async () => {
    ses.on(SendEmailCommand).rejects(new Error("MessageRejected"));
    const mailer = createSesMailer({ client: new SESv2Client({}), from: "certflow@example.com" });
    await expect(mailer.send({ to: ["x@example.com"], subject: "s", text: "t" })).rejects.toThrow(
      "MessageRejected",
    );
  });
});
