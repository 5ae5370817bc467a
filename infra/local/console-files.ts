// The web console's files, as the local host serves them at its root: the bundle
// scripts/build-console.mjs left in .build/console (built by `npm install`, and again by
// `npm start` when a source changed), with a strict Content-Security-Policy: scripts and styles
// from the page's own origin only, no inline code, API calls to the same origin (and to the
// sign-in's token endpoint when the console config names one), and the console config itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ApiResult } from "../../functions/api/api-types.ts";
import {
  CONSOLE_CONFIG_PATH,
  type ConsoleConfig,
  consoleCsp,
  LOCAL_CONSOLE_CONFIG,
} from "../../functions/api/console-config.ts";

import type { ConsoleSignInSettings } from "./local-settings.ts";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CONSOLE_BUILD_DIR = join(PROJECT_ROOT, ".build", "console");

/** No inline script or style, nothing from elsewhere; letters are shown from blob: URLs. */
export const CONSOLE_CSP = consoleCsp();

/** The files of a build, by the path they are served at. */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
};

/** What the console reads at start: the pasted token, or the provider CERTFLOW_CONSOLE_SIGN_IN_URL names. */
export function localConsoleConfig(signIn: ConsoleSignInSettings | undefined): ConsoleConfig {
  if (signIn === undefined) return LOCAL_CONSOLE_CONFIG;
  return {
    signIn: {
      kind: "cognito",
      authorizeUrl: `${signIn.baseUrl}/oauth2/authorize`,
      tokenUrl: `${signIn.baseUrl}/oauth2/token`,
      logoutUrl: `${signIn.baseUrl}/logout`,
      clientId: signIn.clientId,
      scopes: ["openid", "email", "profile"],
    },
  };
}

/** The CSP of a console signing in as `config` says: its token endpoint's origin may be called. */
export function consoleCspFor(config: ConsoleConfig): string {
  return config.signIn.kind === "cognito"
    ? consoleCsp([new URL(config.signIn.tokenUrl).origin])
    : CONSOLE_CSP;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  // A new build is picked up at the next load; the files are small.
  "cache-control": "no-cache",
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>certflow console</title></head>
<body><main><h1>The web console is not built</h1>
<p>Run <code>npm install</code> (or restart <code>npm start</code>), which builds it. The REST API under /v1/ works without it.</p>
</main></body></html>
`;

/** The folder of the current build, as current.json names it; undefined before the first build. */
export function currentConsoleBuild(buildDir: string = CONSOLE_BUILD_DIR): string | undefined {
  try {
    const current = JSON.parse(readFileSync(join(buildDir, "current.json"), "utf8")) as {
      dir?: unknown;
    };
    return typeof current.dir === "string" && /^[a-z0-9-]+$/.test(current.dir)
      ? join(buildDir, current.dir)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The console file at `path` as an API result (the local API server sends it like a route's
 * answer), or undefined when the path is not one of the console's.
 */
export function consoleFile(
  path: string,
  buildDir: string = CONSOLE_BUILD_DIR,
  config: ConsoleConfig = LOCAL_CONSOLE_CONFIG,
): ApiResult | undefined {
  const headers = { ...SECURITY_HEADERS, "content-security-policy": consoleCspFor(config) };
  if (path === CONSOLE_CONFIG_PATH) {
    return {
      statusCode: 200,
      headers: { ...headers, "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(config)).toString("base64"),
      isBase64Encoded: true,
    };
  }
  const entry = FILES[path];
  if (entry === undefined) return undefined;
  const folder = currentConsoleBuild(buildDir);
  let bytes: Buffer | undefined;
  try {
    bytes = folder === undefined ? undefined : readFileSync(join(folder, entry.file));
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined) {
    if (entry.file !== "index.html") return undefined;
    return {
      statusCode: 503,
      headers: { ...headers, "content-type": entry.type },
      body: Buffer.from(NOT_BUILT_PAGE).toString("base64"),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: 200,
    headers: { ...headers, "content-type": entry.type },
    body: bytes.toString("base64"),
    isBase64Encoded: true,
  };
}

interface ConsoleBuildModule {
  ensureConsole(): Promise<{ dir: string; built: boolean }>;
}

/**
 * Builds the console when its bundle is missing or older than a source (scripts/build-console.mjs,
 * the same build `npm install` runs); a failure is reported, never fatal: the API works without.
 */
export async function prepareConsole(log: (line: string) => void): Promise<void> {
  try {
    const script = pathToFileURL(join(PROJECT_ROOT, "scripts", "build-console.mjs")).href;
    const { ensureConsole } = (await import(script)) as ConsoleBuildModule;
    const { built } = await ensureConsole();
    if (built) log("web console built (a source was newer than its bundle)");
  } catch (error) {
    log(
      `the web console could not be built (${error instanceof Error ? error.message : String(error)}); the API works without it`,
    );
  }
}
