import { join, resolve } from "node:path";
import { readLocalToken } from "../local/local-token-file.ts";

/**
 * Where the bearer token the command sends comes from. The command asks before each request, so
 * a source whose tokens expire (a sign-in that refreshes its tokens itself) renews them here.
 */
export interface TokenSource {
  /** Where the token comes from, as messages name it ("CERTFLOW_TOKEN"). */
  readonly origin: string;
  token(): Promise<string>;
}

/** What a source may look at: the environment, the working directory, the service's URL. */
export interface TokenSourceContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly serviceUrl: string;
  readonly role: "customer" | "operator";
}

/** A way to find a token: the source when it has one, undefined when it does not apply. */
export type TokenSourceKind = (context: TokenSourceContext) => TokenSource | undefined;

const fixed = (origin: string, token: string): TokenSource => ({
  origin,
  token: async () => token,
});

/** CERTFLOW_TOKEN (customers) or CERTFLOW_OPERATOR_TOKEN (operators). */
export const environmentToken: TokenSourceKind = ({ env, role }) => {
  const variable = role === "customer" ? "CERTFLOW_TOKEN" : "CERTFLOW_OPERATOR_TOKEN";
  const token = env[variable];
  return token === undefined || token === "" ? undefined : fixed(variable, token);
};

/** The local service's data directory: CERTFLOW_DATA_DIR, else ./.certflow. */
export function localDataDir(env: TokenSourceContext["env"], cwd: string): string {
  return resolve(cwd, env.CERTFLOW_DATA_DIR ?? join(cwd, ".certflow"));
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The token `npm start` keeps in its data directory, sent only to a service on this machine:
 * a local token has no business going to a deployment elsewhere.
 */
export const localServiceToken: TokenSourceKind = ({ env, cwd, serviceUrl, role }) => {
  let host: string;
  try {
    host = new URL(serviceUrl).hostname;
  } catch {
    return undefined;
  }
  if (!LOOPBACK_HOSTS.has(host)) return undefined;
  const dataDir = localDataDir(env, cwd);
  const token = readLocalToken(dataDir, role);
  return token === undefined ? undefined : fixed(`the local service's ${dataDir}`, token);
};

/**
 * The sources tried in turn; the first that has a token is used. A sign-in for a deployment
 * (its ID token, refreshed as it expires) is one more entry here.
 */
export const TOKEN_SOURCES: readonly TokenSourceKind[] = [environmentToken, localServiceToken];

export function findTokenSource(
  context: TokenSourceContext,
  kinds: readonly TokenSourceKind[] = TOKEN_SOURCES,
): TokenSource | undefined {
  for (const kind of kinds) {
    const source = kind(context);
    if (source !== undefined) return source;
  }
  return undefined;
}
