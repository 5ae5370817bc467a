import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeySchemaElement,
  PutItemCommand,
  ScanCommand,
  type TableDescription,
  UpdateTableCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { reviewQueueKeys } from "../../functions/adapters/aws/order-item.ts";
import {
  createOrderTableInput,
  ORDER_SORT_KEY,
  ORDER_TABLE,
} from "../../functions/adapters/aws/order-table-design.ts";
import type { OrderStatusName, ReviewRecord } from "../../functions/domain/order-record.ts";

// dynalite cannot add an index to an existing table, so a table an earlier version made is
// rebuilt: every item is copied into `<table>-migrating` (made with the current design), a
// completion marker is written there, the old table is dropped and made again, and the items are
// copied back. Each step can be interrupted; the next start reads where it stopped:
// - the migrating table without the marker: the old table is whole; start over;
// - with the marker and no whole `<table>`: copy back from the migrating table.
// A `<table>` is whole when it is on-demand and not being deleted: while it is filled from the
// migrating table it is provisioned, and it becomes on-demand once every item is in. So a table
// with the current design and on-demand is finished, and telling so costs one DescribeTable.

type Item = Record<string, AttributeValue>;

/** The key of the item that says the migrating table holds every item (no design key starts so). */
export const MIGRATION_COMPLETE_KEY: Item = { PK: { S: "MIGRATION#" }, SK: { S: "COMPLETE" } };

const BATCH_SIZE = 25;
const BATCH_ATTEMPTS = 8;
const FILLING_THROUGHPUT = { ReadCapacityUnits: 100, WriteCapacityUnits: 100 };

export const migratingTableName = (tableName: string) => `${tableName}-migrating`;

const errorName = (error: unknown) => (error instanceof Error ? error.name : "");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** On-demand and not being deleted: not a table still being filled from the migrating one. */
const isWhole = (table: TableDescription) =>
  table.BillingModeSummary?.BillingMode === "PAY_PER_REQUEST" && table.TableStatus !== "DELETING";

const sameKeys = (found?: KeySchemaElement[], wanted?: KeySchemaElement[]) =>
  JSON.stringify(found?.map(({ AttributeName, KeyType }) => [AttributeName, KeyType])) ===
  JSON.stringify(wanted?.map(({ AttributeName, KeyType }) => [AttributeName, KeyType]));

/** The indexes of the current design that the table lacks (or has with other keys). */
function missingIndexes(table: TableDescription): string[] {
  const present = new Map(
    (table.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]),
  );
  return (createOrderTableInput(table.TableName ?? "").GlobalSecondaryIndexes ?? [])
    .filter((index) => {
      const found = present.get(index.IndexName);
      return (
        found === undefined ||
        !sameKeys(found.KeySchema, index.KeySchema) ||
        found.Projection?.ProjectionType !== index.Projection?.ProjectionType
      );
    })
    .map((index) => index.IndexName ?? "");
}

/** Whole, with the key schema and every index of `createOrderTableInput`. */
export function hasCurrentDesign(table: TableDescription): boolean {
  return (
    isWhole(table) &&
    sameKeys(table.KeySchema, createOrderTableInput(table.TableName ?? "").KeySchema) &&
    missingIndexes(table).length === 0
  );
}

/** The current design, provisioned: how `<table>` is made while it is filled again. */
export function orderTableWhileFilling(tableName: string): CreateTableCommandInput {
  const design = createOrderTableInput(tableName);
  return {
    ...design,
    BillingMode: "PROVISIONED",
    ProvisionedThroughput: FILLING_THROUGHPUT,
    GlobalSecondaryIndexes: design.GlobalSecondaryIndexes?.map((index) => ({
      ...index,
      ProvisionedThroughput: FILLING_THROUGHPUT,
    })),
  };
}

async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  done: (table: TableDescription | undefined) => boolean,
  what: string,
): Promise<void> {
  // dynalite reports CREATING, UPDATING or DELETING for a moment; the SDK waiters poll each second.
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (done(await describeTable(client, tableName))) return;
    await pause(20);
  }
  throw new Error(`Table ${tableName} did not ${what}.`);
}

const waitUntilActive = (client: DynamoDBClient, tableName: string) =>
  waitForTable(client, tableName, (table) => table?.TableStatus === "ACTIVE", "become active");

/** Creates the table (one already there is fine when `existingIsFine`) and waits until active. */
export async function createTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
  existingIsFine = false,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!existingIsFine || errorName(error) !== "ResourceInUseException") throw error;
  }
  await waitUntilActive(client, input.TableName ?? "");
}

/** Deletes the table (a missing one is fine) and waits until it is gone. */
export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (errorName(error) !== "ResourceNotFoundException") throw error;
  }
  await waitForTable(client, tableName, (table) => table === undefined, "go away");
}

async function writeItems(client: DynamoDBClient, tableName: string, items: Item[]) {
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    let requests: WriteRequest[] = items
      .slice(start, start + BATCH_SIZE)
      .map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > BATCH_ATTEMPTS) {
        throw new Error(`${requests.length} items were not written to ${tableName}.`);
      }
      if (attempt > 1) await pause(10 * 2 ** attempt);
      const result = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = result.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

/** Copies every item `change` keeps (as it answers it) from one table to the other; the count. */
async function copyItems(
  client: DynamoDBClient,
  from: string,
  to: string,
  change: (item: Item) => Item | undefined,
): Promise<number> {
  let copied = 0;
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: from, ConsistentRead: true, ExclusiveStartKey }),
    );
    const items: Item[] = [];
    for (const item of page.Items ?? []) {
      const changed = change(item);
      if (changed !== undefined) items.push(changed);
    }
    await writeItems(client, to, items);
    copied += items.length;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return copied;
}

const isMarker = (item: Item) =>
  item.PK?.S === MIGRATION_COMPLETE_KEY.PK?.S && item.SK?.S === MIGRATION_COMPLETE_KEY.SK?.S;

async function hasMarker(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    const read = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: MIGRATION_COMPLETE_KEY,
        ConsistentRead: true,
      }),
    );
    return read.Item !== undefined;
  } catch (error) {
    // A table still being created or deleted holds no marker.
    if (errorName(error) === "ResourceNotFoundException") return false;
    throw error;
  }
}

/** An order item from before ByReviewQueue gets its keys if its letter awaits a decision. */
function withReviewQueueKeys(item: Item): Item {
  const { partitionKey, sortKey } = ORDER_TABLE.byReviewKeys;
  const orderId = item.orderId?.S;
  const status = item.status?.S;
  const review = item.review?.M;
  if (item[ORDER_TABLE.sortKey]?.S !== ORDER_SORT_KEY || item[partitionKey] !== undefined) {
    return item;
  }
  if (orderId === undefined || status === undefined || review === undefined) return item;
  const keys = reviewQueueKeys({
    orderId,
    status: status as OrderStatusName,
    review: { status: review.status?.S, awaitingSince: review.awaitingSince?.S } as ReviewRecord,
  });
  if (keys === undefined) return item;
  return { ...item, [partitionKey]: { S: keys.GSI3PK }, [sortKey]: { S: keys.GSI3SK } };
}

/** Makes `<table>` again from the complete migrating table, then drops that; the items kept. */
async function copyBack(client: DynamoDBClient, tableName: string): Promise<number> {
  const migrating = migratingTableName(tableName);
  await createTable(client, orderTableWhileFilling(tableName));
  const kept = await copyItems(client, migrating, tableName, (item) =>
    isMarker(item) ? undefined : item,
  );
  await client.send(
    new UpdateTableCommand({ TableName: tableName, BillingMode: "PAY_PER_REQUEST" }),
  );
  await deleteTable(client, migrating);
  await waitUntilActive(client, tableName);
  return kept;
}

/**
 * Brings `<table>` (described as `table`, undefined when missing) to the current design, keeping
 * every item, or finishes an upgrade an earlier start left unfinished. `log` hears one line when
 * items are moved.
 */
export async function upgradeOrderTable(
  client: DynamoDBClient,
  tableName: string,
  table: TableDescription | undefined,
  log: (line: string) => void,
): Promise<void> {
  const migrating = migratingTableName(tableName);
  let current = table;
  if ((await describeTable(client, migrating)) !== undefined) {
    if (current !== undefined && isWhole(current)) {
      // The copy stopped before the old table was dropped, or the copy back was finished.
      await deleteTable(client, migrating);
    } else if (await hasMarker(client, migrating)) {
      if (current !== undefined) await deleteTable(client, tableName);
      const kept = await copyBack(client, tableName);
      log(
        `finished upgrading the local order table ${tableName} to the current design; ${kept} items kept`,
      );
      return;
    } else {
      throw new Error(
        `${migrating} holds an incomplete copy of the order table and ${tableName} is ` +
          `${current === undefined ? "missing" : "incomplete"}; neither can be trusted. ` +
          "Move the data directory aside to start with an empty one.",
      );
    }
  }
  if (current?.TableStatus === "DELETING") {
    await deleteTable(client, tableName);
    current = undefined;
  }
  if (current === undefined) {
    await createTable(client, createOrderTableInput(tableName), true);
    return;
  }
  if (hasCurrentDesign(current)) return;

  const missing = missingIndexes(current);
  await createTable(client, createOrderTableInput(migrating));
  await copyItems(client, tableName, migrating, withReviewQueueKeys);
  await client.send(new PutItemCommand({ TableName: migrating, Item: MIGRATION_COMPLETE_KEY }));
  await deleteTable(client, tableName);
  const kept = await copyBack(client, tableName);
  const adds = missing.length === 0 ? "" : ` (adds ${missing.join(", ")})`;
  log(
    `upgraded the local order table ${tableName} to the current design${adds}; ${kept} items kept`,
  );
}
