import { mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import dynalite from "dynalite";
import S3rver from "s3rver";

export const EMULATOR_HOST = "127.0.0.1";

export interface RunningEmulator {
  readonly endpoint: string;
  close(): Promise<void>;
}

const endpointOf = (address: AddressInfo | string | null) => {
  if (address === null || typeof address === "string") {
    throw new Error("The emulator is not listening on a TCP port.");
  }
  return `http://${EMULATOR_HOST}:${address.port}`;
};

/** Stops accepting, drops kept-alive sockets, and resolves once the server has let go. */
async function closeServer(
  server: Server,
  close: (callback: (error?: Error | null) => void) => void,
): Promise<void> {
  const closed = new Promise<void>((resolve, reject) =>
    close((error) => (error ? reject(error) : resolve())),
  );
  server.closeAllConnections();
  await closed;
}

/** DynamoDB (dynalite) with its LevelDB under `directory`; close() also releases the database. */
export async function startDynalite(directory: string): Promise<RunningEmulator> {
  const server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, EMULATOR_HOST, () => resolve());
  });
  return {
    endpoint: endpointOf(server.address()),
    close: () => closeServer(server, (callback) => server.close(callback)),
  };
}

/** S3 (s3rver) keeping objects under `directory`. */
export async function startS3rver(directory: string): Promise<RunningEmulator> {
  const s3rver = new S3rver({ address: EMULATOR_HOST, port: 0, silent: true, directory });
  const address = await s3rver.run();
  const server = (s3rver as unknown as { httpServer: Server }).httpServer;
  return {
    endpoint: endpointOf(address),
    close: () => closeServer(server, (callback) => server.close(callback)),
  };
}

/** SES v2 (aws-ses-v2-local), keeping mail in memory; `GET /store` lists it. */
export async function startSesEmulator(): Promise<RunningEmulator> {
  // A CommonJS module with a transpiled default export: Node's ESM loader answers the function
  // as `.default.default`, Vitest's loader unwraps one level and answers it as `.default`.
  const loaded: { default: unknown } = await import("aws-ses-v2-local");
  const start = (
    typeof loaded.default === "function"
      ? loaded.default
      : (loaded.default as { default: unknown }).default
  ) as (config: { host: string; port: number }) => Promise<Server>;
  const server = await start({ host: EMULATOR_HOST, port: 0 });
  return {
    endpoint: endpointOf(server.address()),
    close: () => closeServer(server, (callback) => server.close(callback)),
  };
}

export interface EmulatorEndpoints {
  readonly dynamoDb: string;
  readonly s3: string;
  readonly ses: string;
}

export interface RunningEmulatorServers {
  readonly endpoints: EmulatorEndpoints;
  /** Closes the servers (and dynalite's database); safe to call twice. */
  close(): Promise<void>;
}

/**
 * dynalite, s3rver and aws-ses-v2-local in this thread, keeping tables under `<dataDir>/dynamodb`
 * and objects under `<dataDir>/s3`; `fresh` empties those two directories first.
 */
export async function startEmulatorServers(options: {
  dataDir: string;
  fresh?: boolean;
}): Promise<RunningEmulatorServers> {
  const dynamoDir = join(options.dataDir, "dynamodb");
  const s3Dir = join(options.dataDir, "s3");
  for (const directory of [dynamoDir, s3Dir]) {
    if (options.fresh === true) rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
  }
  const running: RunningEmulator[] = [];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      const results = await Promise.allSettled(running.map((emulator) => emulator.close()));
      const failure = results.find((result) => result.status === "rejected");
      if (failure !== undefined) throw failure.reason;
    })();
    return closed;
  };
  try {
    const dynamoDb = await startDynalite(dynamoDir);
    running.push(dynamoDb);
    const s3 = await startS3rver(s3Dir);
    running.push(s3);
    const ses = await startSesEmulator();
    running.push(ses);
    return {
      endpoints: { dynamoDb: dynamoDb.endpoint, s3: s3.endpoint, ses: ses.endpoint },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
