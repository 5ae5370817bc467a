import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBridgeBus } from "../../../../functions/adapters/aws/eventbridge-event-bus.ts";
import {
  createSqsDeliveryQueue,
  delaySecondsUntil,
} from "../../../../functions/adapters/aws/sqs-delivery-queue.ts";

const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
afterEach(() => {
  sqs.reset();
  events.reset();
});

const NOW = new Date("2027-01-10T08:00:00.000Z");
const message = (deliveryId: string, dueInSeconds: number) => ({
  tenantId: "tenant-a",
  endpointId: "wh_1",
  deliveryId,
  dueAt: new Date(NOW.getTime() + dueInSeconds * 1000).toISOString(),
});

describe("the SQS delivery queue", () => {
  it("delays each message until it is due, 15 minutes at most, in batches of ten", async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = createSqsDeliveryQueue({
      client: new SQSClient({}),
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/deliveries",
      now: () => NOW,
    });
    const messages = Array.from({ length: 11 }, (_, index) =>
      message(`msg_${index}`, index === 0 ? -30 : index === 1 ? 4.2 : 36_000),
    );

    // Act
    await queue.schedule(messages);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.QueueUrl).toBe("https://sqs.eu-west-1.amazonaws.com/1/deliveries");
    expect(calls[0]?.Entries?.slice(0, 3).map((entry) => entry.DelaySeconds)).toEqual([0, 5, 900]);
    expect(JSON.parse(calls[0]?.Entries?.[1]?.MessageBody ?? "")).toEqual(messages[1]);
    expect(calls[1]?.Entries).toHaveLength(1);
  });

  it("throws when SQS refuses a message, so the caller's message is handed again", async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: "0", Code: "InternalError", SenderFault: false }],
    });
    const queue = createSqsDeliveryQueue({
      client: new SQSClient({}),
      queueUrl: "q",
      now: () => NOW,
    });

    await expect(queue.schedule([message("msg_1", 0)])).rejects.toThrow(/InternalError/);
  });

  it("sends nothing for no messages", async () => {
    await createSqsDeliveryQueue({ client: new SQSClient({}), queueUrl: "q" }).schedule([]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    expect(delaySecondsUntil("not a time", NOW)).toBe(0);
  });
});

describe("the EventBridge bus", () => {
  it("puts events on the default bus (none named), as source certflow with their detail type", async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });

    await createEventBridgeBus(new EventBridgeClient({})).publish([
      {
        source: "certflow",
        detailType: "Order Status Changed",
        time: NOW.toISOString(),
        detail: { orderId: "ord_1", status: "ISSUED" },
      },
    ]);

    const [call] = events.commandCalls(PutEventsCommand);
    expect(call?.args[0].input).toEqual({
      Entries: [
        {
          Source: "certflow",
          DetailType: "Order Status Changed",
          Time: NOW,
          Detail: '{"orderId":"ord_1","status":"ISSUED"}',
        },
      ],
    });
    expect(call?.args[0].input.Entries?.[0]).not.toHaveProperty("EventBusName");
  });

  it("throws when EventBridge refuses an entry", async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: "ThrottlingException" }],
    });

    await expect(
      createEventBridgeBus(new EventBridgeClient({})).publish([
        { source: "certflow", detailType: "Order Mail Sent", time: NOW.toISOString(), detail: {} },
      ]),
    ).rejects.toThrow(/ThrottlingException/);
  });
});
