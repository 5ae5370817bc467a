import { join, resolve } from "node:path";
import { readLocalToken } from "../local/local-token-file.ts";
import {
  type CognitoCredentials,
  credentialsPath,
  readCredentials,
  saveCredentials,
} from "./cognito-credentials.ts";

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
  /** Calls to the sign-in's token service (refreshes), and the time: the real ones by default. */
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
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

/** An ID token this close to its expiry is refreshed before it is sent. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The sign-in `certflow login` kept for this service URL: its Cognito ID token, refreshed with
 * the refresh token (and saved) when it expires within 5 minutes. The user's groups decide the
 * role, so the same sign-in serves customer and operator commands.
 */
export const cognitoSignIn: TokenSourceKind = (context) => {
  const path = credentialsPath(context.env);
  let credentials: CognitoCredentials | undefined;
  try {
    credentials = readCredentials(path, context.serviceUrl);
  } catch {
    return undefined;
  }
  if (credentials === undefined) return undefined;
  let current = credentials;
  const now = context.now ?? Date.now;
  return {
    origin: `the sign-in kept in ${path} (certflow login)`,
    async token() {
      if (Date.parse(current.expiresAt) - now() > REFRESH_BEFORE_EXPIRY_MS) return current.idToken;
      // Loaded only when a refresh is due: most commands start with a fresh token.
      const idp = await import("./cognito-idp.ts");
      let refreshed: Awaited<ReturnType<typeof idp.refreshSignIn>>;
      try {
        refreshed = await idp.refreshSignIn(
          {
            endpoint: idp.cognitoEndpoint(current.region, context.env),
            clientId: current.clientId,
            fetch: context.fetch ?? fetch,
          },
          current.refreshToken,
        );
      } catch (error) {
        const why = error instanceof idp.CognitoRefusal ? ` (${error.type})` : "";
        throw new Error(
          `the sign-in for ${context.serviceUrl} has ended${why}; run certflow login again.`,
        );
      }
      if (refreshed.kind !== "signed-in") {
        throw new Error(
          `the sign-in for ${context.serviceUrl} has ended; run certflow login again.`,
        );
      }
      current = {
        ...current,
        idToken: refreshed.idToken,
        refreshToken: refreshed.refreshToken ?? current.refreshToken,
        expiresAt: new Date(now() + refreshed.expiresInSeconds * 1000).toISOString(),
      };
      saveCredentials(path, context.serviceUrl, current);
      return current.idToken;
    },
  };
};

/** The sources tried in turn; the first that has a token is used. */
export const TOKEN_SOURCES: readonly TokenSourceKind[] = [
  environmentToken,
  cognitoSignIn,
  localServiceToken,
];

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
