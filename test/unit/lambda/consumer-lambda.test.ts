import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { deliveryMessagesOf, orderEventsOf } from "../../../functions/lambda/consumer-lambda.ts";

describe("what the consumer functions read", () => {
  it("takes each new history event of the stream as the order's event, keyed by its sort key", () => {
    const event = {
      Records: [
        {
          eventName: "INSERT",
          dynamodb: {
            SequenceNumber: "101",
            NewImage: marshall({
              PK: "ORDER#ord_1",
              SK: "EVENT#2027-01-10T08:00:00.000Z#000004",
              at: "2027-01-10T08:00:00.000Z",
              type: "status",
              status: "ISSUED",
              message: "Issued.",
            }),
          },
        },
        // Not an order's item: skipped (the event source's filter keeps these out anyway).
        {
          eventName: "INSERT",
          dynamodb: { SequenceNumber: "102", NewImage: marshall({ PK: "QUOTA#x", SK: "EVENT#y" }) },
        },
      ],
    } as unknown as DynamoDBStreamEvent;

    expect(orderEventsOf(event)).toEqual([
      {
        identifier: "101",
        message: {
          orderId: "ord_1",
          eventKey: "EVENT#2027-01-10T08:00:00.000Z#000004",
          event: {
            at: "2027-01-10T08:00:00.000Z",
            type: "status",
            status: "ISSUED",
            message: "Issued.",
          },
        },
      },
    ]);
  });

  it("takes the delivery queue's messages, and drops one that is not a delivery", () => {
    const message = {
      tenantId: "t",
      endpointId: "wh_1",
      deliveryId: "msg_1",
      dueAt: "2027-01-10T08:00:00.000Z",
    };
    const event = {
      Records: [
        { messageId: "m-1", body: JSON.stringify(message) },
        { messageId: "m-2", body: "{not json" },
        { messageId: "m-3", body: JSON.stringify({ tenantId: "t" }) },
      ],
    } as unknown as SQSEvent;

    expect(deliveryMessagesOf(event)).toEqual([{ identifier: "m-1", message }]);
  });
});
