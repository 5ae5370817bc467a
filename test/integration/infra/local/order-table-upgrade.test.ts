import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AttributeValue,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDynamoDbOrderStore } from "../../../../functions/adapters/aws/dynamodb-order-store.ts";
import { toOrderItem } from "../../../../functions/adapters/aws/order-item.ts";
import {
  createOrderTableInput,
  eventSortKey,
  ORDER_TABLE,
  orderPartition,
} from "../../../../functions/adapters/aws/order-table-design.ts";
import type { OrderRecord } from "../../../../functions/domain/order-record.ts";
import { ensureOrderTable } from "../../../../infra/local/emulator-resources.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../../infra/local/emulators.ts";
import {
  createTable,
  deleteTable,
  describeTable,
  MIGRATION_COMPLETE_KEY,
  migratingTableName,
  orderTableWhileFilling,
} from "../../../../infra/local/order-table-upgrade.ts";
import { sampleClaim, sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

type Item = Record<string, AttributeValue>;

const dataDir = mkdtempSync(join(tmpdir(), "certflow-order-table-upgrade-"));
let emulators: LocalEmulators;
let tables = 0;

beforeAll(async () => {
  emulators = await startLocalEmulators({ dataDir, fresh: true });
});

afterAll(async () => {
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const client = () => emulators.dynamoDb.client;
const store = (tableName: string) => createDynamoDbOrderStore({ client: client(), tableName });
const put = (tableName: string, Item: Record<string, unknown>) =>
  DynamoDBDocumentClient.from(client()).send(new PutCommand({ TableName: tableName, Item }));

/** The design as it was before ByReviewQueue. */
function designWithoutReviewQueue(tableName: string): CreateTableCommandInput {
  const design = createOrderTableInput(tableName);
  const { partitionKey, sortKey } = ORDER_TABLE.byReviewKeys;
  return {
    ...design,
    AttributeDefinitions: design.AttributeDefinitions?.filter(
      ({ AttributeName }) => AttributeName !== partitionKey && AttributeName !== sortKey,
    ),
    GlobalSecondaryIndexes: design.GlobalSecondaryIndexes?.filter(
      ({ IndexName }) => IndexName !== ORDER_TABLE.byReviewIndex,
    ),
  };
}

const AWAITING = sampleOrder({
  orderId: "ord_awaiting",
  status: "PENDING_REVIEW",
  product: "OV",
  review: {
    status: "awaiting-decision",
    deadline: "2027-01-08T00:00:00.000Z",
    awaitingSince: "2027-01-02T00:00:00.000Z",
  },
});
const LETTER_EXPECTED = sampleOrder({
  orderId: "ord_letter",
  status: "PENDING_VALIDATION",
  product: "OV",
  review: { status: "awaiting-document", deadline: "2027-01-08T00:00:00.000Z" },
});
const ISSUED = sampleOrder({
  orderId: "ord_issued",
  status: "ISSUED",
  certificate: {
    serialNumber: "0A1B",
    notBefore: "2026-01-01T00:00:00.000Z",
    notAfter: "2027-01-31T00:00:00.000Z",
    sha256Fingerprint: "AB:CD",
    renewAt: "2027-01-01T00:00:00.000Z",
  },
});
/** Enough history of about 60 KB an event to take more than one Scan page and BatchWriteItem. */
const LONG_HISTORY = 40;

/** An order item as a version before ByReviewQueue wrote it: without the queue's keys. */
function itemOfEarlierVersion(order: OrderRecord): Record<string, unknown> {
  const {
    [ORDER_TABLE.byReviewKeys.partitionKey]: _queue,
    [ORDER_TABLE.byReviewKeys.sortKey]: _since,
    ...item
  } = toOrderItem(order);
  return item;
}

/** Orders, history, an idempotency claim and a long history, written to `tableName`. */
async function writeOrders(tableName: string): Promise<void> {
  const orders = store(tableName);
  const dv = sampleOrder({ orderId: "ord_dv" });
  await orders.create(dv, sampleEvent(dv.createdAt, "Order submitted."), sampleClaim("k1", "h1"));
  await orders.update(
    dv,
    { status: "PENDING_VALIDATION" },
    sampleEvent("2026-11-02T10:01:00.000Z", "Waiting for the TXT record."),
  );
  await orders.create(ISSUED, sampleEvent(ISSUED.createdAt, "Order submitted."));
  await orders.create(LETTER_EXPECTED, sampleEvent(LETTER_EXPECTED.createdAt, "Order submitted."));
  await put(tableName, itemOfEarlierVersion(AWAITING));
  await put(tableName, {
    PK: orderPartition(AWAITING.orderId),
    SK: eventSortKey(AWAITING.createdAt, 0),
    ...sampleEvent(AWAITING.createdAt, "Order submitted."),
  });
  for (let sequence = 1; sequence <= LONG_HISTORY; sequence++) {
    await put(tableName, {
      PK: orderPartition("ord_dv"),
      SK: eventSortKey("2026-11-02T11:00:00.000Z", sequence),
      ...sampleEvent("2026-11-02T11:00:00.000Z", `note ${sequence} ${"x".repeat(60_000)}`),
    });
  }
}

/** Every item of the table, in key order. */
async function allItems(tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client().send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  const key = (item: Item) => `${item.PK?.S} ${item.SK?.S}`;
  return items.sort((a, b) => key(a).localeCompare(key(b)));
}

/** The items as they should be after the upgrade: the awaiting order has the queue's keys. */
function upgraded(items: Item[]): Item[] {
  return items.map((item) =>
    item.PK?.S === orderPartition(AWAITING.orderId) && item.SK?.S === "ORDER"
      ? {
          ...item,
          GSI3PK: { S: "REVIEWQUEUE" },
          GSI3SK: { S: `2027-01-02T00:00:00.000Z#${AWAITING.orderId}` },
        }
      : item,
  );
}

async function indexNames(tableName: string): Promise<string[]> {
  const table = await describeTable(client(), tableName);
  return (table?.GlobalSecondaryIndexes ?? []).map(({ IndexName }) => IndexName ?? "").sort();
}

async function tableNames(): Promise<string[]> {
  return (await client().send(new ListTablesCommand({}))).TableNames ?? [];
}

/** What a table with the current design, holding every item, answers. */
async function expectUpgraded(tableName: string, items: Item[]): Promise<void> {
  const orders = store(tableName);
  expect(await allItems(tableName)).toEqual(upgraded(items));
  expect(await indexNames(tableName)).toEqual(
    ["ByRenewalDate", "ByReviewQueue", "ByTenant"].sort(),
  );
  expect((await describeTable(client(), tableName))?.TableStatus).toBe("ACTIVE");
  expect(await tableNames()).not.toContain(migratingTableName(tableName));
  expect((await orders.awaitingReview(10)).map((order) => order.orderId)).toEqual([
    AWAITING.orderId,
  ]);
  expect(await orders.get(AWAITING.orderId)).toEqual(AWAITING);
  expect((await orders.history("ord_dv")).length).toBe(2 + LONG_HISTORY);
  expect(
    (await orders.dueForRenewal("2027-01-15T00:00:00.000Z", 10)).map((order) => order.orderId),
  ).toEqual([ISSUED.orderId]);
  expect(
    (await orders.listByTenant("tenant-a", { limit: 10 })).orders.map((order) => order.orderId),
  ).toHaveLength(4);
}

/** A table with the design before ByReviewQueue, holding the orders; its items. */
async function tableOfEarlierVersion(tableName: string): Promise<Item[]> {
  await createTable(client(), designWithoutReviewQueue(tableName));
  await writeOrders(tableName);
  return allItems(tableName);
}

/** A client that tells which commands it sends. */
function countingClient(): { client: DynamoDBClient; commands: string[] } {
  const commands: string[] = [];
  const counting = new DynamoDBClient({
    endpoint: emulators.dynamoDb.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  counting.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? "");
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return { client: counting, commands };
}

describe("ensureOrderTable on a table made before ByReviewQueue", () => {
  it("rebuilds it with every index, keeping every item and queueing the order awaiting a decision", async () => {
    // Prepare
    const tableName = `orders-${++tables}`;
    const before = await tableOfEarlierVersion(tableName);
    const { client: counting, commands } = countingClient();
    const lines: string[] = [];

    // Act
    await ensureOrderTable(counting, tableName, { log: (line) => lines.push(line) });
    counting.destroy();

    // Assess
    expect(before).toHaveLength(10 + LONG_HISTORY);
    // Two copies of more than a Scan page (1 MB) and more than a BatchWriteItem (25 items) each.
    const sent = (command: string) => commands.filter((name) => name === command).length;
    expect(sent("ScanCommand")).toBeGreaterThanOrEqual(4);
    expect(sent("BatchWriteItemCommand")).toBeGreaterThanOrEqual(4);
    await expectUpgraded(tableName, before);
    expect(lines).toEqual([
      `upgraded the local order table ${tableName} to the current design (adds ByReviewQueue); ${before.length} items kept`,
    ]);
  });

  it("then leaves it alone: one DescribeTable, no line", async () => {
    // Prepare
    const tableName = `orders-${++tables}`;
    await tableOfEarlierVersion(tableName);
    await ensureOrderTable(client(), tableName, { log: () => undefined });
    const { client: counting, commands } = countingClient();
    const lines: string[] = [];

    // Act
    await ensureOrderTable(counting, tableName, { log: (line) => lines.push(line) });
    counting.destroy();

    // Assess
    expect(commands).toEqual(["DescribeTableCommand"]);
    expect(lines).toEqual([]);
  });
});

describe("ensureOrderTable on a table with the current design", () => {
  it("leaves it alone: one DescribeTable, no Scan, no line", async () => {
    // Prepare
    const tableName = `orders-${++tables}`;
    await ensureOrderTable(client(), tableName);
    await writeOrders(tableName);
    const before = await allItems(tableName);
    const { client: counting, commands } = countingClient();
    const lines: string[] = [];

    // Act
    await ensureOrderTable(counting, tableName, { log: (line) => lines.push(line) });
    counting.destroy();

    // Assess
    expect(commands).toEqual(["DescribeTableCommand"]);
    expect(lines).toEqual([]);
    expect(await allItems(tableName)).toEqual(before);
  });

  it("creates a missing one, without a line", async () => {
    const tableName = `orders-${++tables}`;
    const lines: string[] = [];
    await ensureOrderTable(client(), tableName, { log: (line) => lines.push(line) });
    expect(await indexNames(tableName)).toEqual(["ByRenewalDate", "ByReviewQueue", "ByTenant"]);
    expect(await allItems(tableName)).toEqual([]);
    expect(lines).toEqual([]);
  });
});

describe("ensureOrderTable after a start that stopped in the middle of an upgrade", () => {
  /** The migrating table as the upgrade leaves it: a copy of `items`, then the marker. */
  async function completeCopy(tableName: string, items: Item[]): Promise<void> {
    const migrating = migratingTableName(tableName);
    await createTable(client(), createOrderTableInput(migrating));
    for (const Item of upgraded(items)) {
      await client().send(new PutItemCommand({ TableName: migrating, Item }));
    }
    await client().send(new PutItemCommand({ TableName: migrating, Item: MIGRATION_COMPLETE_KEY }));
  }

  it("makes the table again from a complete copy when the table was already dropped", async () => {
    // Prepare
    const tableName = `orders-${++tables}`;
    const before = await tableOfEarlierVersion(tableName);
    await completeCopy(tableName, before);
    await deleteTable(client(), tableName);
    const lines: string[] = [];

    // Act
    await ensureOrderTable(client(), tableName, { log: (line) => lines.push(line) });

    // Assess
    await expectUpgraded(tableName, before);
    expect(lines).toEqual([
      `finished upgrading the local order table ${tableName} to the current design; ${before.length} items kept`,
    ]);
  });

  it("drops a table that was only partly filled again and fills it from the complete copy", async () => {
    // Prepare
    const tableName = `orders-${++tables}`;
    const before = await tableOfEarlierVersion(tableName);
    await completeCopy(tableName, before);
    await deleteTable(client(), tableName);
    await createTable(client(), orderTableWhileFilling(tableName));
    for (const Item of upgraded(before).slice(0, 5)) {
      await client().send(new PutItemCommand({ TableName: tableName, Item }));
    }
    const lines: string[] = [];

    // Act
    await ensureOrderTable(client(), tableName, { log: (line) => lines.push(line) });

    // Assess
    await expectUpgraded(tableName, before);
    expect(lines).toHaveLength(1);
  });

  it.each([
    ["without the marker (the copy stopped)", false],
    ["with the marker, the old table not dropped yet", true],
  ])("starts over from the whole old table when the copy is %s", async (_case, marked) => {
    // Prepare
    const tableName = `orders-${++tables}`;
    const before = await tableOfEarlierVersion(tableName);
    const migrating = migratingTableName(tableName);
    await createTable(client(), createOrderTableInput(migrating));
    for (const Item of before.slice(0, 3)) {
      await client().send(new PutItemCommand({ TableName: migrating, Item }));
    }
    if (marked) {
      await client().send(
        new PutItemCommand({ TableName: migrating, Item: MIGRATION_COMPLETE_KEY }),
      );
    }
    const lines: string[] = [];

    // Act
    await ensureOrderTable(client(), tableName, { log: (line) => lines.push(line) });

    // Assess
    await expectUpgraded(tableName, before);
    expect(lines).toEqual([
      `upgraded the local order table ${tableName} to the current design (adds ByReviewQueue); ${before.length} items kept`,
    ]);
  });

  it("refuses to guess when the copy is incomplete and the table is gone", async () => {
    const tableName = `orders-${++tables}`;
    await createTable(client(), createOrderTableInput(migratingTableName(tableName)));
    await expect(ensureOrderTable(client(), tableName, { log: () => undefined })).rejects.toThrow(
      /incomplete copy/,
    );
    expect(await describeTable(client(), tableName)).toBeUndefined();
  });
});

describe("the local emulators on a data directory from before ByReviewQueue", () => {
  it("upgrade the order table on start and say so in the terminal", async () => {
    // Prepare
    await deleteTable(client(), emulators.tableName);
    const before = await tableOfEarlierVersion(emulators.tableName);
    await emulators.stop();
    const printing = vi.spyOn(console, "log").mockImplementation(() => undefined);

    // Act
    let printed: unknown[][];
    try {
      emulators = await startLocalEmulators({ dataDir });
    } finally {
      printed = [...printing.mock.calls];
      printing.mockRestore();
    }

    // Assess
    expect(printed).toEqual([
      [
        `certflow: upgraded the local order table ${emulators.tableName} to the current design (adds ByReviewQueue); ${before.length} items kept`,
      ],
    ]);
    await expectUpgraded(emulators.tableName, before);
  });
});
