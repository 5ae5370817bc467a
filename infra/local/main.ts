import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { writeLogsTo } from "../../functions/lambda/powertools.ts";
import {
  ensureDataDir,
  forgetServiceUrl,
  recordServiceUrl,
} from "../../functions/local/local-data-dir.ts";
import { prepareConsole } from "./console-files.ts";
import { startLocalHost } from "./local-host.ts";
import { type LocalSettings, readLocalSettings, SettingsError } from "./local-settings.ts";
import { printWelcome } from "./welcome.ts";

const JSON_LOG_FILE = "service.log";

/** Exit status for a setting the service cannot start with (as for a malformed one). */
const EXIT_SETTINGS = 2;

function refuse(message: string): never {
  console.error(`certflow: ${message}`);
  process.exit(EXIT_SETTINGS);
}

/** One line for an address the service cannot listen on, naming the setting; else undefined. */
function describeListenError(error: unknown, settings: LocalSettings): string | undefined {
  if (!(error instanceof Error) || !("code" in error)) return undefined;
  const { code, port } = error as Error & { code?: string; port?: number };
  if (port !== settings.port) return undefined;
  if (code === "EADDRINUSE") {
    return `port ${port} (PORT) is in use, perhaps by another certflow. Stop what uses it, or start on another port, e.g. PORT=${port === 3000 ? 3001 : port + 1} npm start.`;
  }
  if (code === "EACCES") {
    return `port ${port} (PORT) needs privileges this user does not have; choose a port above 1023, e.g. PORT=3000 npm start.`;
  }
  return undefined;
}

async function main(): Promise<void> {
  let settings: LocalSettings;
  try {
    settings = readLocalSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) refuse(error.message);
    throw error;
  }
  ensureDataDir(settings.dataDir);
  // People read the terminal: one line per order event; the JSON logs go to a file unless asked.
  const jsonLogs = process.argv.includes("--json-logs")
    ? undefined
    : join(settings.dataDir, JSON_LOG_FILE);
  if (jsonLogs !== undefined) writeLogsTo(createWriteStream(jsonLogs, { flags: "a", mode: 0o600 }));
  // The web console's bundle, rebuilt when a source changed since `npm install` built it.
  await prepareConsole((line) => console.log(`certflow: ${line}`));
  let host: Awaited<ReturnType<typeof startLocalHost>>;
  let listening: string | undefined;
  try {
    host = await startLocalHost(settings, {
      log: (line) => console.log(`certflow: ${line}`),
      emulatorsOnThread: true,
      // Without its emulators the service can only fail: it stops, as a crash would, and the
      // next start resumes the orders in flight.
      onEmulatorsLost: (reason) => {
        console.error(`certflow: ${reason}; the service stops. Start it again: orders resume.`);
        if (listening !== undefined) forgetServiceUrl(settings.dataDir, listening);
        process.exit(1);
      },
    });
  } catch (error) {
    const line = describeListenError(error, settings);
    if (line !== undefined) refuse(line);
    throw error;
  }
  recordServiceUrl(settings.dataDir, host.url);
  listening = host.url;
  printWelcome(settings, host.url, host.emulators.ses.endpoint, jsonLogs);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`certflow: ${signal} received, stopping`);
    forgetServiceUrl(settings.dataDir, host.url);
    // Steps in flight get a few seconds to finish their writes; then the process goes anyway.
    setTimeout(() => process.exit(1), 10_000).unref();
    await host.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

await main();
