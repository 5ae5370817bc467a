import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { createOrderTableInput } from "../../functions/adapters/aws/order-table-design.ts";

const errorName = (error: unknown) => (error instanceof Error ? error.name : "");

/** Creates the order table (with both indexes) unless it exists, and waits until it is active. */
export async function ensureOrderTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (errorName(error) !== "ResourceNotFoundException") throw error;
  }
  try {
    await client.send(new CreateTableCommand(createOrderTableInput(tableName)));
  } catch (error) {
    if (errorName(error) !== "ResourceInUseException") throw error;
  }
  // dynalite reports CREATING for a moment; the SDK waiter would poll once a second.
  for (let attempt = 0; attempt < 500; attempt++) {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Table ${tableName} did not become active.`);
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
