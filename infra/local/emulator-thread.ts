import { once } from "node:events";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import {
  type EmulatorEndpoints,
  type RunningEmulatorServers,
  startEmulatorServers,
} from "./emulator-servers.ts";

/**
 * The emulators' servers on a thread of their own: under load, dynalite (LevelDB), s3rver and the
 * SES emulator answering the service's calls took about a third of the one thread the steps and
 * routes run on. Here they work on another core.
 */
interface ThreadData {
  readonly certflowEmulatorServers: { readonly dataDir: string; readonly fresh: boolean };
}

type Started = { readonly endpoints: EmulatorEndpoints } | { readonly error: string };

/**
 * The emulators' heap. Left to V8's default (a quarter of the machine's memory), garbage piles
 * up between collections: 320 MiB of heap holding 177 MiB of objects after 1,000 orders, and
 * the service over 1 GiB. What they keep is dynalite's and s3rver's working set and the SES
 * emulator's mails since the start (a few KiB each), far below this.
 */
export const EMULATOR_HEAP_MIB = 384;

export async function startEmulatorServersOnThread(options: {
  dataDir: string;
  fresh?: boolean;
}): Promise<RunningEmulatorServers> {
  const data: ThreadData = {
    certflowEmulatorServers: { dataDir: options.dataDir, fresh: options.fresh === true },
  };
  const worker = new Worker(new URL(import.meta.url), {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: EMULATOR_HEAP_MIB },
  });
  const exited = once(worker, "exit");
  const [started] = (await Promise.race([
    once(worker, "message"),
    exited.then(([code]) => {
      throw new Error(`The emulators' thread stopped (exit code ${code}) before they started.`);
    }),
  ])) as [Started];
  if ("error" in started) {
    await exited;
    throw new Error(`The emulators did not start: ${started.error}`);
  }
  let closed: Promise<void> | undefined;
  return {
    endpoints: started.endpoints,
    close() {
      closed ??= (async () => {
        worker.postMessage("stop");
        await exited;
      })();
      return closed;
    },
  };
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.certflowEmulatorServers) {
  const { dataDir, fresh } = (workerData as ThreadData).certflowEmulatorServers;
  try {
    const servers = await startEmulatorServers({ dataDir, fresh });
    parentPort?.once("message", async () => {
      await servers.close().catch(() => undefined);
      process.exit(0);
    });
    const started: Started = { endpoints: servers.endpoints };
    parentPort?.postMessage(started);
  } catch (error) {
    const started: Started = { error: error instanceof Error ? error.message : String(error) };
    parentPort?.postMessage(started);
    parentPort?.close();
  }
}
