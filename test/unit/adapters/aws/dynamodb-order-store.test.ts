import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createDynamoDbOrderStore } from "../../../../functions/adapters/aws/dynamodb-order-store.ts";
import { toOrderItem } from "../../../../functions/adapters/aws/order-item.ts";
import {
  RENEWAL_SHARDS,
  renewalShard,
} from "../../../../functions/adapters/aws/order-table-design.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { IdempotencyKeyInUse, VersionConflict } from "../../../../functions/ports/order-store.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());

const clock = fixedClock(new Date("2027-02-28T12:00:00.000Z"));
const store = (renewalLookbackMonths?: number) =>
  createDynamoDbOrderStore({
    client: new DynamoDBClient({ region: "us-east-1" }),
    tableName: "orders",
    clock,
    renewalLookbackMonths,
  });

const certificate = {
  serialNumber: "01",
  notBefore: "2026-12-01T00:00:00.000Z",
  notAfter: "2027-03-01T00:00:00.000Z",
  sha256Fingerprint: "AA",
  renewAt: "2027-02-01T00:00:00.000Z",
};

/** Reads an UpdateExpression back into the attributes it sets and removes. */
function decodeUpdate(input: UpdateCommandInput | undefined) {
  const names = input?.ExpressionAttributeNames ?? {};
  const values = input?.ExpressionAttributeValues ?? {};
  const expression = input?.UpdateExpression ?? "";
  const set: Record<string, unknown> = {};
  const setClause = /SET (.*?)(?: REMOVE|$)/.exec(expression)?.[1] ?? "";
  for (const assignment of setClause.split(", ").filter(Boolean)) {
    const [name = "", value = ""] = assignment.split(" = ");
    set[names[name] ?? name] = values[value];
  }
  const removeClause = /REMOVE (.*)$/.exec(expression)?.[1] ?? "";
  const removed = removeClause
    .split(", ")
    .filter(Boolean)
    .map((name) => names[name] ?? name);
  return { set, removed };
}

describe("the DynamoDB order store's writes", () => {
  it("claims the idempotency key before it writes the order and then its first event", async () => {
    documents.on(PutCommand).resolves({});
    const order = sampleOrder({ orderId: "ord_1", tenantId: "t1" });
    await store().create(order, sampleEvent(order.createdAt, "submitted"), {
      tenantId: "t1",
      key: "k",
      requestHash: "h",
      expiresAt: "2027-03-01T00:00:00.000Z",
    });
    const puts = documents.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => put.Item?.PK)).toEqual([
      "IDEMPOTENCY#t1#k",
      "ORDER#ord_1",
      "ORDER#ord_1",
    ]);
    expect(puts[0]).toMatchObject({
      Item: {
        SK: "IDEMPOTENCY",
        orderId: "ord_1",
        requestHash: "h",
        expiresAt: Date.parse("2027-03-01T00:00:00.000Z") / 1000,
      },
      ConditionExpression: "attribute_not_exists(PK) OR #expiresAt < :now",
      ExpressionAttributeValues: { ":now": Math.floor(clock.now().getTime() / 1000) },
    });
    expect(puts[1]).toMatchObject({
      Item: { SK: "ORDER", GSI1PK: "TENANT#t1", GSI1SK: `${order.createdAt}#ord_1` },
      ConditionExpression: "attribute_not_exists(PK)",
    });
    expect(puts[1]?.Item).not.toHaveProperty("GSI2PK");
    expect(puts[2]?.Item).toMatchObject({ SK: `EVENT#${order.createdAt}#000000` });
  });

  it("updates conditionally on the version read, sets and removes attributes, and indexes renewals", async () => {
    const before = sampleOrder({ orderId: "ord_2", status: "ISSUING", version: 4, waitToken: "w" });
    const after = { ...before, status: "ISSUED", certificate, version: 5 } as OrderRecord;
    documents.on(UpdateCommand).resolves({
      Attributes: { ...toOrderItem(after), GSI2PK: "RENEWAL#2027-02", GSI2SK: "x" },
    });
    documents.on(PutCommand).resolves({});
    const result = await store().update(
      before,
      { status: "ISSUED", certificate, waitToken: undefined },
      sampleEvent("2027-02-28T12:00:00.000Z", "issued"),
    );
    expect(result).toEqual(after);
    const input = documents.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Key: { PK: "ORDER#ord_2", SK: "ORDER" },
      ConditionExpression: "#expected = :expected",
      ExpressionAttributeNames: { "#expected": "version" },
      ExpressionAttributeValues: { ":expected": 4 },
      ReturnValues: "ALL_NEW",
    });
    expect(decodeUpdate(input)).toEqual({
      set: {
        status: "ISSUED",
        certificate,
        version: 5,
        updatedAt: "2027-02-28T12:00:00.000Z",
        GSI2PK: `RENEWAL#2027-02#${String(renewalShard("ord_2")).padStart(2, "0")}`,
        GSI2SK: "2027-02-01T00:00:00.000Z#ord_2",
      },
      // Not an order in the review queue either.
      removed: ["waitToken", "GSI3PK", "GSI3SK"],
    });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      PK: "ORDER#ord_2",
      SK: "EVENT#2027-02-28T12:00:00.000Z#000005",
      message: "issued",
    });
  });

  it("drops an order from the renewal index when it leaves ISSUED", async () => {
    const issued = sampleOrder({ orderId: "ord_3", status: "ISSUED", version: 2, certificate });
    documents.on(UpdateCommand).resolves({ Attributes: toOrderItem(issued) });
    await store().update(issued, { status: "REVOKED" });
    const { set, removed } = decodeUpdate(documents.commandCalls(UpdateCommand)[0]?.args[0].input);
    expect(set.status).toBe("REVOKED");
    expect(removed).toEqual(["GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"]);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it("turns a failed version condition into VersionConflict and passes other failures on", async () => {
    const order = sampleOrder({ orderId: "ord_4", version: 1 });
    documents
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: "no", $metadata: {} }))
      .rejectsOnce(new Error("ProvisionedThroughputExceededException"));
    await expect(store().update(order, { status: "CANCELLED" })).rejects.toBeInstanceOf(
      VersionConflict,
    );
    await expect(store().update(order, { status: "CANCELLED" })).rejects.toThrow(
      "ProvisionedThroughputExceededException",
    );
  });
});

describe("the DynamoDB order store's reads", () => {
  it("keeps querying a filtered listing until the page is full, and hands out the index position", async () => {
    const order = (orderId: string) => toOrderItem(sampleOrder({ orderId, status: "FAILED" }));
    const firstStop = { PK: "ORDER#b", SK: "ORDER", GSI1PK: "TENANT#tenant-a", GSI1SK: "2#b" };
    const secondStop = { PK: "ORDER#e", SK: "ORDER", GSI1PK: "TENANT#tenant-a", GSI1SK: "1#e" };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [order("a")], LastEvaluatedKey: firstStop })
      .resolvesOnce({ Items: [order("d"), order("e")], LastEvaluatedKey: secondStop });
    const page = await store().listByTenant("tenant-a", { limit: 3, status: "FAILED" });
    expect(page.orders.map((listed) => listed.orderId)).toEqual(["a", "d", "e"]);
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((query) => [query.Limit, query.ExclusiveStartKey])).toEqual([
      [3, undefined],
      [2, firstStop],
    ]);
    expect(queries[0]).toMatchObject({
      IndexName: "ByTenant",
      ScanIndexForward: false,
      FilterExpression: "#status = :status",
      ExpressionAttributeValues: { ":tenant": "TENANT#tenant-a", ":status": "FAILED" },
    });

    documents.reset();
    documents.on(QueryCommand).resolves({ Items: [] });
    await store().listByTenant("tenant-a", { limit: 3, cursor: page.nextCursor });
    expect(documents.commandCalls(QueryCommand)[0]?.args[0].input.ExclusiveStartKey).toEqual(
      secondStop,
    );
  });

  it("asks for renewals month by month and shard by shard on the renewal index, never with a Scan", async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    await store().dueForRenewal("2027-02-28T12:00:00.000Z", 10);
    expect(documents.commandCalls(ScanCommand)).toHaveLength(0);
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.every((query) => query.IndexName === "ByRenewalDate")).toBe(true);
    const partitions = queries.map((query) => query.ExpressionAttributeValues?.[":partition"]);
    expect(partitions).toHaveLength(14 * RENEWAL_SHARDS);
    expect(partitions[0]).toBe("RENEWAL#2026-01#00");
    expect(partitions[1]).toBe("RENEWAL#2026-01#01");
    expect(partitions.at(-1)).toBe("RENEWAL#2027-02#15");
    expect(queries[0]?.ExpressionAttributeValues?.[":upTo"]).toBe(
      "2027-02-28T12:00:00.000Z#\uffff",
    );

    documents.reset();
    documents.on(QueryCommand).resolves({ Items: [] });
    await store(2).dueForRenewal("2027-01-05T00:00:00Z", 10);
    const months = documents
      .commandCalls(QueryCommand)
      .map((call) =>
        String(call.args[0].input.ExpressionAttributeValues?.[":partition"]).slice(0, 15),
      );
    expect([...new Set(months)]).toEqual(["RENEWAL#2026-11", "RENEWAL#2026-12", "RENEWAL#2027-01"]);
  });

  it("reads at most the limit from each partition and answers the oldest of all", async () => {
    const issued = (orderId: string, renewAt: string) =>
      toOrderItem(
        sampleOrder({ orderId, status: "ISSUED", certificate: { ...certificate, renewAt } }),
      );
    documents
      .on(QueryCommand)
      .resolves({ Items: [] })
      .on(QueryCommand, { ExpressionAttributeValues: { ":partition": "RENEWAL#2027-02#03" } })
      .resolves({
        Items: [issued("r_mid", "2027-02-10T00:00:00.000Z")],
        LastEvaluatedKey: { PK: "more" },
      })
      .on(QueryCommand, { ExpressionAttributeValues: { ":partition": "RENEWAL#2027-01#09" } })
      .resolves({ Items: [issued("r_old", "2027-01-02T00:00:00.000Z")] });
    const due = await store().dueForRenewal("2027-02-28T12:00:00.000Z", 1);
    expect(due.map((order) => order.orderId)).toEqual(["r_old"]);
    const limits = documents.commandCalls(QueryCommand).map((call) => call.args[0].input.Limit);
    expect(limits.every((limit) => limit === 1)).toBe(true);
    // The partition that had more stopped at the limit: one query each.
    expect(limits).toHaveLength(14 * RENEWAL_SHARDS);
  });

  it("reads an order with a consistent read and without the table's key attributes", async () => {
    const order = sampleOrder({ orderId: "ord_5" });
    documents.on(GetCommand).resolves({ Item: toOrderItem(order) });
    expect(await store().get("ord_5")).toEqual(order);
    expect(documents.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { PK: "ORDER#ord_5", SK: "ORDER" },
      ConsistentRead: true,
    });
  });
});

describe("the DynamoDB order store's idempotency claims", () => {
  const claim = {
    tenantId: "tenant-a",
    key: "k",
    requestHash: "same-body",
    expiresAt: "2027-03-01T00:00:00.000Z",
  };
  const theirs = sampleOrder({ orderId: "ord_theirs", tenantId: "tenant-b" });

  /** The claim is held (by `held`); the order it names is tenant-b's. */
  function claimHeldBy(held: Record<string, unknown>) {
    documents
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: "held", $metadata: {} }));
    documents
      .on(GetCommand, { Key: { PK: "IDEMPOTENCY#tenant-a#k", SK: "IDEMPOTENCY" } })
      .resolves({ Item: { PK: "IDEMPOTENCY#tenant-a#k", SK: "IDEMPOTENCY", ...held } });
    documents
      .on(GetCommand, { Key: { PK: "ORDER#ord_theirs", SK: "ORDER" } })
      .resolves({ Item: toOrderItem(theirs) });
  }

  it.each([
    [
      "a claim of another tenant",
      { orderId: "ord_theirs", requestHash: "same-body", tenantId: "tenant-b" },
    ],
    [
      "a claim without its tenant naming another tenant's order",
      { orderId: "ord_theirs", requestHash: "same-body" },
    ],
  ])("never answers with %s", async (_case, held) => {
    // Prepare
    claimHeldBy(held);
    const ours = sampleOrder({ orderId: "ord_ours", tenantId: "tenant-a" });

    // Act
    const attempt = store().create(ours, sampleEvent(ours.createdAt, "submitted"), claim);

    // Assess
    await expect(attempt).rejects.toThrow(IdempotencyKeyInUse);
    const written = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.PK);
    expect(written).toEqual(["IDEMPOTENCY#tenant-a#k"]);
  });
});
