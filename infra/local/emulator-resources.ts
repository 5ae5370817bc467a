import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { describeTable, hasCurrentDesign, upgradeOrderTable } from "./order-table-upgrade.ts";

const errorName = (error: unknown) => (error instanceof Error ? error.name : "");

export interface EnsureOrderTableOptions {
  /** Hears the line about an upgrade; the terminal (`certflow: …`) unless given. */
  readonly log?: (line: string) => void;
}

/**
 * Makes sure the order table exists with the current design (`createOrderTableInput`, every index)
 * and is active. A missing table is created; one an earlier version made without an index of the
 * design is rebuilt with every item kept, an interrupted rebuild is finished (order-table-upgrade.ts).
 * A table with the current design costs one DescribeTable.
 */
export async function ensureOrderTable(
  client: DynamoDBClient,
  tableName: string,
  options: EnsureOrderTableOptions = {},
): Promise<void> {
  const table = await describeTable(client, tableName);
  if (table !== undefined && hasCurrentDesign(table)) return;
  const log = options.log ?? ((line: string) => console.log(`certflow: ${line}`));
  await upgradeOrderTable(client, tableName, table, log);
}

export async function ensureBucket(client: S3Client, bucketName: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucketName }));
    return;
  } catch (error) {
    if (errorName(error) !== "NotFound" && errorName(error) !== "NoSuchBucket") throw error;
  }
  await client.send(new CreateBucketCommand({ Bucket: bucketName }));
}
