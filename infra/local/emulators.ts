import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createLocalS3Client } from "../../functions/adapters/aws/s3-blob-store.ts";
import { ensureBucket, ensureOrderTable } from "./emulator-resources.ts";
import { startEmulatorServers } from "./emulator-servers.ts";
import { EMULATOR_SIGNERS } from "./emulator-signing.ts";
import { startEmulatorServersOnThread } from "./emulator-thread.ts";

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
 * DynamoDB (dynalite), S3 (s3rver) and SES (aws-ses-v2-local) on 127.0.0.1, ports chosen by the
 * system: in this thread, or with `onThread` on a thread of their own (emulator-thread.ts). Tables
 * and objects persist under `<dataDir>/dynamodb` and `<dataDir>/s3`; `fresh` empties those two
 * directories first (the rest of `dataDir` belongs to the local host and is left alone). The table
 * and the bucket are created when missing.
 */
export async function startLocalEmulators(options: {
  dataDir: string;
  fresh?: boolean;
  onThread?: boolean;
  /** On a thread: told why when the thread stops without being stopped. */
  onLost?: (reason: string) => void;
  /** On a thread: its heap limit (EMULATOR_HEAP_MIB unless given). */
  heapMib?: number;
}): Promise<LocalEmulators> {
  const servers = options.onThread
    ? await startEmulatorServersOnThread(options)
    : await startEmulatorServers(options);
  const { endpoints } = servers;
  const clients: { destroy(): void }[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const client of clients) client.destroy();
      await servers.close();
    })();
    return stopped;
  };

  try {
    const dynamoClient = new DynamoDBClient({
      endpoint: endpoints.dynamoDb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      signer: EMULATOR_SIGNERS.unchecked,
    });
    const s3Client = createLocalS3Client(endpoints.s3, EMULATOR_SIGNERS.none);
    const sesClient = new SESv2Client({
      endpoint: endpoints.ses,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      signer: EMULATOR_SIGNERS.unchecked,
    });
    clients.push(dynamoClient, s3Client, sesClient);

    await ensureOrderTable(dynamoClient, LOCAL_TABLE_NAME);
    await ensureBucket(s3Client, LOCAL_BUCKET_NAME);

    return {
      dynamoDb: { endpoint: endpoints.dynamoDb, client: dynamoClient },
      s3: { endpoint: endpoints.s3, client: s3Client },
      ses: {
        endpoint: endpoints.ses,
        client: sesClient,
        storeUrl: `${endpoints.ses}/store`,
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
