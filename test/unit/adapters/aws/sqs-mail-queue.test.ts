import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createSqsMailQueue } from "../../../../functions/adapters/aws/sqs-mail-queue.ts";
import { mailer } from "../../../../functions/lambda/providers/mailer.ts";

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/111122223333/certflow-mails";

describe("the mail queue on SQS", () => {
  it("puts one message per mail holding the rendered mail and nothing else", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const queue = createSqsMailQueue({ client: new SQSClient({}), queueUrl: QUEUE_URL });
    const extra = { orderId: "ord_1", secret: "kept-out" };

    await queue.send({
      to: ["ada@shop.example"],
      subject: "Issued",
      text: "Your certificate",
      html: "<p>Your certificate</p>",
      ...extra,
    } as never);
    await queue.send({ to: ["bob@shop.example", "eve@shop.example"], subject: "S", text: "T" });

    const inputs = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.QueueUrl)).toEqual([QUEUE_URL, QUEUE_URL]);
    expect(inputs.map((input) => JSON.parse(input.MessageBody ?? ""))).toEqual([
      {
        to: ["ada@shop.example"],
        subject: "Issued",
        text: "Your certificate",
        html: "<p>Your certificate</p>",
      },
      { to: ["bob@shop.example", "eve@shop.example"], subject: "S", text: "T" },
    ]);
    expect(inputs[0]).not.toHaveProperty("DelaySeconds");
  });

  it("fails the send when SQS refuses, so the step's retry sends it again", async () => {
    sqs
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error("no"), { name: "QueueDoesNotExist" }));
    const queue = createSqsMailQueue({ client: new SQSClient({}), queueUrl: QUEUE_URL });

    await expect(queue.send({ to: ["a@shop.example"], subject: "S", text: "T" })).rejects.toThrow(
      "no",
    );
  });

  it("is the Lambda functions' mailer: built from the queue's URL, SQS loaded with the first mail", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    expect(() => mailer({})).toThrow(/CERTFLOW_MAIL_QUEUE_URL/);
    const mail = mailer({ CERTFLOW_MAIL_QUEUE_URL: QUEUE_URL });
    expect(sqs.calls()).toHaveLength(0);

    await mail.send({ to: ["ada@shop.example"], subject: "Issued", text: "Your certificate" });

    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE_URL,
        MessageBody: JSON.stringify({
          to: ["ada@shop.example"],
          subject: "Issued",
          text: "Your certificate",
        }),
      },
    ]);
  });
});
