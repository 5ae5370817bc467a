import { mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { createOrderTableInput } from "../../functions/adapters/aws/order-table-design.ts";
import { createLocalS3Client } from "../../functions/adapters/aws/s3-blob-store.ts";

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const HOST = "127.0.0.1";

export interface LocalEmulators {
  readonly dynamoDb: { readonly endpoint: string; readonly client: DynamoDBClient };
  readonly s3: { readonly endpoint: string; readonly client: S3Client };
  readonly ses: { readonly endpoint: string; readonly client: SESv2Client };
  readonly tableName: string;
  readonly bucketName: string;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function close(server: { close(callback: (error?: Error) => void): unknown }): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "ResourceNotFoundException") throw error;
  }
  await client.send(new CreateTableCommand(createOrderTableInput(tableName)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Table ${tableName} did not become active.`);
}

async function ensureBucket(client: S3Client, bucketName: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucketName }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucketName }));
  }
}

/**
 * DynamoDB (dynalite), S3 (s3rver) and SES (aws-ses-v2-local) in this process, on 127.0.0.1
 * with ports chosen by the system; DynamoDB and S3 data persist under `dataDir`.
 */
export async function startLocalEmulators(options: {
  dataDir: string;
  fresh?: boolean;
}): Promise<LocalEmulators> {
  if (options.fresh === true) {
    rmSync(join(options.dataDir, "dynamodb"), { recursive: true, force: true });
    rmSync(join(options.dataDir, "s3"), { recursive: true, force: true });
  }
  mkdirSync(join(options.dataDir, "dynamodb"), { recursive: true });
  mkdirSync(join(options.dataDir, "s3"), { recursive: true });

  const dynamoServer = dynalite({
    path: join(options.dataDir, "dynamodb"),
    createTableMs: 0,
  }) as Server;
  const dynamoEndpoint = `http://${HOST}:${await listen(dynamoServer)}`;
  const dynamoClient = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });

  const s3Server = new S3rver({
    address: HOST,
    port: 0,
    silent: true,
    directory: join(options.dataDir, "s3"),
  });
  const s3Address = (await s3Server.run()) as AddressInfo;
  const s3Endpoint = `http://${HOST}:${s3Address.port}`;
  const s3Client = createLocalS3Client(s3Endpoint);

  const sesModule = (await import("aws-ses-v2-local")) as unknown as {
    default: { default?: (config: { host: string; port: number }) => Promise<Server> } & ((config: {
      host: string;
      port: number;
    }) => Promise<Server>);
  };
  const startSes = sesModule.default.default ?? sesModule.default;
  const sesServer = await startSes({ host: HOST, port: 0 });
  const sesEndpoint = `http://${HOST}:${(sesServer.address() as AddressInfo).port}`;
  const sesClient = new SESv2Client({
    endpoint: sesEndpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });

  const tableName = "certflow-orders";
  const bucketName = "certflow-vault";
  await ensureTable(dynamoClient, tableName);
  await ensureBucket(s3Client, bucketName);

  return {
    dynamoDb: { endpoint: dynamoEndpoint, client: dynamoClient },
    s3: { endpoint: s3Endpoint, client: s3Client },
    ses: { endpoint: sesEndpoint, client: sesClient },
    tableName,
    bucketName,
    async stop() {
      dynamoClient.destroy();
      s3Client.destroy();
      sesClient.destroy();
      sesServer.closeAllConnections?.();
      await close(sesServer);
      await close(s3Server);
      await close(dynamoServer);
    },
  };
}
