import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Role } from "../api/api-types.ts";
import { ensureDataDir } from "./local-data-dir.ts";

/** A bearer token of the local service and whom it stands for. */
export interface ApiToken {
  readonly token: string;
  readonly tenantId: string;
  readonly role: Role;
}

export const LOCAL_TOKENS_FILE = "local-tokens.json";

/**
 * Tokens for a local run without CERTFLOW_API_TOKENS: made once, kept (mode 0600) in the data
 * directory so they survive restarts and local tools (`npm run demo`, the CLI) can find them.
 */
export function localTokens(dataDir: string): ApiToken[] {
  const path = join(dataDir, LOCAL_TOKENS_FILE);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as ApiToken[];
  const tokens: ApiToken[] = [
    { token: `cf_${randomBytes(18).toString("base64url")}`, tenantId: "local", role: "customer" },
    { token: `cf_${randomBytes(18).toString("base64url")}`, tenantId: "local", role: "operator" },
  ];
  ensureDataDir(dataDir);
  writeFileSync(path, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}

export function readLocalToken(dataDir: string, role: ApiToken["role"]): string | undefined {
  const path = join(dataDir, LOCAL_TOKENS_FILE);
  if (!existsSync(path)) return undefined;
  const tokens = JSON.parse(readFileSync(path, "utf8")) as ApiToken[];
  return tokens.find((token) => token.role === role)?.token;
}
