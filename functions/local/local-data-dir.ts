import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The local service's data directory (tokens, the master key, emulator data): created readable
 * by its owner only (0700, whatever the umask). A directory that exists is left as it is (its
 * secrets are files of mode 0600).
 */
export function ensureDataDir(dataDir: string): void {
  if (existsSync(dataDir)) return;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/** Where a running local service records the URL it answers at. */
export const SERVICE_URL_FILE = "service-url";
export const DEFAULT_SERVICE_URL = "http://127.0.0.1:3000";

/** Records the URL the local service answers at, so local tools find it whatever its PORT. */
export function recordServiceUrl(dataDir: string, url: string): void {
  ensureDataDir(dataDir);
  writeFileSync(join(dataDir, SERVICE_URL_FILE), `${url}\n`, { mode: 0o600 });
}

/** Forgets the recorded URL when the service that recorded it stops. */
export function forgetServiceUrl(dataDir: string, url: string): void {
  if (readRecordedServiceUrl(dataDir) === url)
    rmSync(join(dataDir, SERVICE_URL_FILE), { force: true });
}

export function readRecordedServiceUrl(dataDir: string): string | undefined {
  const path = join(dataDir, SERVICE_URL_FILE);
  if (!existsSync(path)) return undefined;
  const url = readFileSync(path, "utf8").trim();
  return /^https?:\/\/\S+$/.test(url) ? url : undefined;
}

/**
 * The service a local tool talks to: the URL it was given, else CERTFLOW_URL, else the URL the
 * local service recorded in its data directory, else the default port.
 */
export function localServiceUrl(options: {
  readonly given?: string;
  readonly environment: NodeJS.ProcessEnv;
  readonly dataDir: string;
}): string {
  const url =
    options.given ??
    options.environment.CERTFLOW_URL ??
    readRecordedServiceUrl(options.dataDir) ??
    DEFAULT_SERVICE_URL;
  return url.replace(/\/$/, "");
}

/** What a local tool says when no service answers: where it looked, and how to point it. */
export function noServiceAnswers(url: string): string {
  return `no service answers at ${url}. Start it with npm start, or set CERTFLOW_URL to the URL it prints (or CERTFLOW_DATA_DIR to its data directory).`;
}
