import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consumer } from "../../../functions/events/consumers/send-mails.ts";
import { consumerLambda, mailMessagesOf } from "../../../functions/lambda/consumer-lambda.ts";
import { fakeLambdaContext } from "../../../functions/lambda/fake-lambda-context.ts";
import { mailDelivery } from "../../../functions/lambda/providers/mail-delivery.ts";

const ses = mockClient(SESv2Client);

beforeEach(() => {
  vi.stubEnv("CERTFLOW_PUBLIC_API_URL", "https://api.example/prod/");
  vi.stubEnv("CERTFLOW_SENDER", "certificates@example.com");
  vi.stubEnv("CERTFLOW_MAIL_CONFIGURATION_SET", "certflow");
  // The stack's defaults: SES's 14 a second, shared by 2 senders.
  vi.stubEnv("CERTFLOW_SES_MAX_SEND_RATE", "14");
  vi.stubEnv("CERTFLOW_MAIL_SENDERS", "2");
});
afterEach(() => {
  ses.reset();
  vi.unstubAllEnvs();
});

const queued = (...subjects: string[]): SQSEvent =>
  ({
    Records: subjects.map((subject, n) => ({
      messageId: `m-${n}`,
      body: JSON.stringify({ to: [`c${n}@shop.example`], subject, text: `Mail ${subject}` }),
    })),
  }) as unknown as SQSEvent;

const handler = () => consumerLambda(consumer, { mailDelivery });

describe("SendMails, the mail queue's sender on Lambda", () => {
  it("hands each queued mail to SES from the deployment's sender, at 7 a second (14 shared by 2)", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });
    const started = performance.now();

    const answer = await handler()(queued("A", "B", "C", "D"), fakeLambdaContext("SendMails"));

    const elapsed = performance.now() - started;
    expect(answer).toEqual({ batchItemFailures: [] });
    const inputs = ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
    expect(inputs).toMatchObject([
      {
        FromEmailAddress: "certificates@example.com",
        ConfigurationSetName: "certflow",
        Destination: { ToAddresses: ["c0@shop.example"] },
        Content: { Simple: { Subject: { Data: "A" }, Body: { Text: { Data: "Mail A" } } } },
      },
      { Content: { Simple: { Subject: { Data: "B" } } } },
      { Content: { Simple: { Subject: { Data: "C" } } } },
      { Content: { Simple: { Subject: { Data: "D" } } } },
    ]);
    // Four mails at 7 a second take at least 3/7 s (the first goes at once, or waits its turn).
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });

  it("reports a throttled mail and the rest of its batch as failed items, to come back later", async () => {
    ses
      .on(SendEmailCommand)
      .resolvesOnce({ MessageId: "ses-1" })
      .rejectsOnce(
        Object.assign(new Error("Maximum sending rate exceeded."), { name: "ThrottlingException" }),
      )
      .resolves({ MessageId: "ses-3" });

    const answer = await handler()(queued("A", "B", "C"), fakeLambdaContext("SendMails"));

    expect(answer).toEqual({
      batchItemFailures: [{ itemIdentifier: "m-1" }, { itemIdentifier: "m-2" }],
    });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it("drops a mail SES rejects for good (not a failed item: it would fail again)", async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error("rejected"), { name: "MessageRejected" }))
      .resolves({ MessageId: "ses-2" });

    const answer = await handler()(queued("A", "B"), fakeLambdaContext("SendMails"));

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it("reads only well-formed mails from the queue, and drops the others", () => {
    const event = {
      Records: [
        {
          messageId: "m-1",
          body: JSON.stringify({ to: ["a@shop.example"], subject: "S", text: "T" }),
        },
        { messageId: "m-2", body: "{not json" },
        { messageId: "m-3", body: JSON.stringify({ to: [], subject: "S", text: "T" }) },
        { messageId: "m-4", body: JSON.stringify({ to: ["a@shop.example"], subject: "S" }) },
        {
          messageId: "m-5",
          body: JSON.stringify({
            to: ["a@shop.example"],
            subject: "S",
            text: "T",
            html: "<p>T</p>",
          }),
        },
      ],
    } as unknown as SQSEvent;

    expect(mailMessagesOf(event)).toEqual([
      { identifier: "m-1", message: { to: ["a@shop.example"], subject: "S", text: "T" } },
      {
        identifier: "m-5",
        message: { to: ["a@shop.example"], subject: "S", text: "T", html: "<p>T</p>" },
      },
    ]);
  });
});
