import { once } from "node:events";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startLocalEmulators } from "../infra/local/emulators.ts";

/**
 * The local emulators (startLocalEmulators: dynalite and the rest, as the local host runs them)
 * on a thread of their own, so a bench that drives thousands of DynamoDB calls does not share
 * one thread with the emulator answering them.
 */
export interface EmulatorThread {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  stop(): Promise<void>;
}

interface ThreadData {
  readonly certflowBenchEmulators: { readonly dataDir: string; readonly fresh: boolean };
}

interface Started {
  readonly endpoint: string;
  readonly tableName: string;
}

export async function startEmulatorThread(options: {
  dataDir: string;
  fresh?: boolean;
}): Promise<EmulatorThread> {
  const data: ThreadData = {
    certflowBenchEmulators: { dataDir: options.dataDir, fresh: options.fresh === true },
  };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const [started] = (await Promise.race([
    once(worker, "message"),
    once(worker, "exit").then(([code]) => {
      throw new Error(`The emulator thread stopped (exit code ${code}) before it started.`);
    }),
  ])) as [Started];
  const client = new DynamoDBClient({
    endpoint: started.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  let stopped: Promise<void> | undefined;
  return {
    client,
    tableName: started.tableName,
    stop() {
      stopped ??= (async () => {
        client.destroy();
        const exited = once(worker, "exit");
        worker.postMessage("stop");
        await exited;
      })();
      return stopped;
    },
  };
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.certflowBenchEmulators) {
  const { dataDir, fresh } = (workerData as ThreadData).certflowBenchEmulators;
  const emulators = await startLocalEmulators({ dataDir, fresh });
  parentPort?.once("message", async () => {
    await emulators.stop();
    process.exit(0);
  });
  const started: Started = {
    endpoint: emulators.dynamoDb.endpoint,
    tableName: emulators.tableName,
  };
  parentPort?.postMessage(started);
}
