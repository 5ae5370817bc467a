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
 * up between collections: 320 MiB of heap, 177 MiB of it in use (garbage included), after 1,000
 * orders, and the service over 1 GiB. What they keep is dynalite's and s3rver's working set and
 * the SES emulator's mails since the start, a few KiB each: tens of thousands of orders' mails
 * fit. Should it fill all the same, the thread stops and `onLost` says so.
 */
export const EMULATOR_HEAP_MIB = 384;

export async function startEmulatorServersOnThread(options: {
  dataDir: string;
  fresh?: boolean;
  /** Told why, when the thread stops without being closed (its heap full, a crash). */
  onLost?: (reason: string) => void;
  heapMib?: number;
}): Promise<RunningEmulatorServers> {
  const data: ThreadData = {
    certflowEmulatorServers: { dataDir: options.dataDir, fresh: options.fresh === true },
  };
  const worker = new Worker(new URL(import.meta.url), {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: options.heapMib ?? EMULATOR_HEAP_MIB },
  });
  let failure: unknown;
  worker.on("error", (error: unknown) => {
    failure = error;
  });
  const exited = once(worker, "exit");
  // Settled already when the thread dies later: that end is reported by the exit handler below.
  exited.catch(() => undefined);
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
  worker.once("exit", (code) => {
    if (closed !== undefined) return;
    const why =
      failure === undefined
        ? `exit code ${code}`
        : failure instanceof Error
          ? `${(failure as NodeJS.ErrnoException).code ?? failure.name}: ${failure.message}`
          : String(failure);
    options.onLost?.(`the emulators' thread stopped (${why})`);
  });
  return {
    endpoints: started.endpoints,
    close() {
      closed ??= (async () => {
        worker.postMessage("stop");
        // A thread that died on its own was reported through onLost already.
        await exited.catch(() => undefined);
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
