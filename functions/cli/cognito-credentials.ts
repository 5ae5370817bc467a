// What `certflow login` keeps: per service URL, the Cognito app client and region it signed in
// with and the tokens, in $XDG_CONFIG_HOME/certflow/credentials.json (else ~/.config/…), a
// file only its owner reads (0600) in a folder only its owner opens (0700).
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface CognitoCredentials {
  readonly clientId: string;
  readonly region: string;
  readonly username: string;
  readonly idToken: string;
  readonly refreshToken: string;
  /** When the ID token expires (ISO 8601). */
  readonly expiresAt: string;
}

interface CredentialsFile {
  readonly version: 1;
  readonly services: Readonly<Record<string, CognitoCredentials>>;
}

export function credentialsPath(
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): string {
  // The XDG spec ignores a relative XDG_CONFIG_HOME.
  const given = env.XDG_CONFIG_HOME;
  const configHome = given?.startsWith("/") ? given : join(home, ".config");
  return join(configHome, "certflow", "credentials.json");
}

/** The key a service's sign-in is kept under: its URL without a trailing slash. */
export const serviceKey = (url: string) => url.replace(/\/+$/, "");

function readAll(path: string): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { version: 1, services: {} };
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { version: 1, services: parsed.services ?? {} };
  } catch {
    throw new Error(`${path} is not JSON; remove it and run certflow login again.`);
  }
}

function writeAll(path: string, file: CredentialsFile): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function readCredentials(path: string, url: string): CognitoCredentials | undefined {
  const entry = readAll(path).services[serviceKey(url)];
  return entry?.idToken === undefined ? undefined : entry;
}

export function saveCredentials(path: string, url: string, credentials: CognitoCredentials): void {
  const file = readAll(path);
  writeAll(path, { version: 1, services: { ...file.services, [serviceKey(url)]: credentials } });
}

/** Forgets the sign-in for `url`; false when there was none. The file goes with the last one. */
export function forgetCredentials(path: string, url: string): boolean {
  const file = readAll(path);
  const key = serviceKey(url);
  if (file.services[key] === undefined) return false;
  const { [key]: _forgotten, ...rest } = file.services;
  if (Object.keys(rest).length === 0) rmSync(path, { force: true });
  else writeAll(path, { version: 1, services: rest });
  return true;
}
