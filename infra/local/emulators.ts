import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createLocalS3Client } from "../../functions/adapters/aws/s3-blob-store.ts";
import { ensureBucket, ensureOrderTable } from "./emulator-resources.ts";
import {
  type RunningEmulator,
  startDynalite,
  startS3rver,
  startSesEmulator,
} from "./emulator-servers.ts";

export const LOCAL_TABLE_NAME = "certflow-orders";
export const LOCAL_BUCKET_NAME = "certflow-vault";
const LOCAL_REGION = "us-east-1";
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export interface LocalEmulators {
  readonly dynamoDb: { readonly endpoint: string; readonly client: DynamoDBClient };
  readonly s3: { readonly endpoint: string; readonly client: S3Client };
  /** `storeUrl` answers the captured mail as JSON (`{ emails: [...] }`). */
  readonly ses: {
    readonly endpoint: string;
    readonly client: SESv2Client;
    readonly storeUrl: string;
  };
  readonly tableName: string;
  readonly bucketName: string;
  /** Closes clients and servers (and dynalite's database); safe to call twice. */
  stop(): Promise<void>;
}

/**
 * DynamoDB (dynalite), S3 (s3rver) and SES (aws-ses-v2-local) in this process on 127.0.0.1,
 * ports chosen by the system. Tables and objects persist under `<dataDir>/dynamodb` and
 * `<dataDir>/s3`; `fresh` empties those two directories first (the rest of `dataDir` belongs to
 * the local host and is left alone). The table and the bucket are created when missing.
 */
export async function startLocalEmulators(options: {
  dataDir: string;
  fresh?: boolean;
}): Promise<LocalEmulators> {
  const dynamoDir = join(options.dataDir, "dynamodb");
  const s3Dir = join(options.dataDir, "s3");
  for (const directory of [dynamoDir, s3Dir]) {
    if (options.fresh === true) rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
  }

  const running: RunningEmulator[] = [];
  const clients: { destroy(): void }[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const client of clients) client.destroy();
      const results = await Promise.allSettled(running.map((emulator) => emulator.close()));
      const failure = results.find((result) => result.status === "rejected");
      if (failure !== undefined) throw failure.reason;
    })();
    return stopped;
  };

  try {
    const dynamoServer = await startDynalite(dynamoDir);
    running.push(dynamoServer);
    const s3Server = await startS3rver(s3Dir);
    running.push(s3Server);
    const sesServer = await startSesEmulator();
    running.push(sesServer);

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamoServer.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const s3Client = createLocalS3Client(s3Server.endpoint);
    const sesClient = new SESv2Client({
      endpoint: sesServer.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    clients.push(dynamoClient, s3Client, sesClient);

    await ensureOrderTable(dynamoClient, LOCAL_TABLE_NAME);
    await ensureBucket(s3Client, LOCAL_BUCKET_NAME);

    return {
      dynamoDb: { endpoint: dynamoServer.endpoint, client: dynamoClient },
      s3: { endpoint: s3Server.endpoint, client: s3Client },
      ses: {
        endpoint: sesServer.endpoint,
        client: sesClient,
        storeUrl: `${sesServer.endpoint}/store`,
      },
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
