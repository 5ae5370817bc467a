// Signing in through Cognito's managed login in the browser: the redirect with a PKCE challenge,
// the callback's code exchanged for tokens, the ID token kept in this tab's sessionStorage (the
// API's bearer token, as the pasted one is) and refreshed before it expires or after a 401, and
// the sign-out through the managed login. The decisions are code-flow.ts's; this file does the
// storage, the redirects and the calls.
import {
  CONSOLE_CONFIG_PATH,
  type CognitoSignIn,
  type ConsoleConfig,
  LOCAL_CONSOLE_CONFIG,
} from "../../functions/api/console-config.ts";
import { renewTokensWith, session } from "./api.ts";
import {
  authorizeUrlOf,
  callbackOf,
  codeChallengeOf,
  codeExchangeBody,
  codeVerifierFrom,
  logoutUrlOf,
  refreshBody,
  SignInRefused,
  secondsUntilRefresh,
  stateFrom,
  type Tokens,
  tokensOf,
} from "./code-flow.ts";

const REFRESH_KEY = "certflow.refreshToken";
/** The state and verifier of a sign-in under way, until the managed login sends the browser back. */
const PENDING_KEY = "certflow.signIn.pending";

const random = (bytes: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(bytes);

/** The console's own address, where the managed login sends the browser back. */
const consoleUri = () => `${location.origin}/`;

/** How people sign in where the console is served; the pasted token when nothing says (an older build). */
export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch(CONSOLE_CONFIG_PATH, { cache: "no-store" });
    if (!response.ok) return LOCAL_CONSOLE_CONFIG;
    const config = (await response.json()) as ConsoleConfig;
    return config.signIn?.kind === "cognito" ? config : LOCAL_CONSOLE_CONFIG;
  } catch {
    return LOCAL_CONSOLE_CONFIG;
  }
}

/** "Sign in": to the managed login with a fresh state and PKCE challenge. */
export async function beginSignIn(config: CognitoSignIn): Promise<void> {
  const verifier = codeVerifierFrom(random);
  const state = stateFrom(random);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier }));
  const challenge = await codeChallengeOf(verifier, crypto.subtle);
  location.assign(authorizeUrlOf(config, { redirectUri: consoleUri(), state, challenge }));
}

async function askTokenEndpoint(config: CognitoSignIn, body: string): Promise<Tokens> {
  let response: Response;
  try {
    response = await fetch(config.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      cache: "no-store",
    });
  } catch {
    throw new SignInRefused("The sign-in service did not answer; try again in a moment.");
  }
  let answer: unknown;
  try {
    answer = await response.json();
  } catch {
    answer = undefined;
  }
  return tokensOf(response.status, answer);
}

/**
 * The managed login's return (?code&state, or ?error): the code exchanged for tokens, kept in
 * sessionStorage; the query is taken out of the address bar first, whatever it held. True when
 * this signed the tab in; a SignInRefused says in words why not.
 */
export async function completeSignIn(config: CognitoSignIn): Promise<boolean> {
  const callback = callbackOf(location.search);
  if (callback.kind === "none") return false;
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (callback.kind === "error") throw new SignInRefused(callback.message);
  let pending: { state?: unknown; verifier?: unknown } = {};
  try {
    pending = JSON.parse(pendingText ?? "{}") as typeof pending;
  } catch {
    pending = {};
  }
  if (typeof pending.verifier !== "string" || pending.state !== callback.state) {
    throw new SignInRefused(
      "This sign-in was not started from this tab (its state does not match), so it was not used; sign in again.",
    );
  }
  const tokens = await askTokenEndpoint(
    config,
    codeExchangeBody(config, {
      code: callback.code,
      redirectUri: consoleUri(),
      verifier: pending.verifier,
    }),
  );
  keep(config, tokens);
  return true;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let renewing: Promise<boolean> | undefined;

function keep(config: CognitoSignIn, tokens: Tokens): void {
  session.signIn(tokens.idToken);
  if (tokens.refreshToken !== undefined) sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  schedule(config);
}

/** The next refresh, shortly before the ID token expires. */
function schedule(config: CognitoSignIn): void {
  clearTimeout(refreshTimer);
  const token = session.token();
  if (token === undefined) return;
  const seconds = secondsUntilRefresh(token, Date.now() / 1000);
  refreshTimer = setTimeout(() => void renew(config), seconds * 1000);
}

/** A new ID token with the refresh token; false when there is none or it is refused. */
function renew(config: CognitoSignIn): Promise<boolean> {
  renewing ??= (async () => {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (refreshToken === null) return false;
    try {
      keep(config, await askTokenEndpoint(config, refreshBody(config, refreshToken)));
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

/** Keeps the session's ID token fresh: on a timer, before each call when due, after a 401. */
export function keepSignedIn(config: CognitoSignIn): void {
  renewTokensWith({
    fresh: async () => {
      const token = session.token();
      if (token !== undefined && secondsUntilRefresh(token, Date.now() / 1000) === 0) {
        await renew(config);
      }
    },
    renew: () => renew(config),
  });
  schedule(config);
}

/** "Sign out": the tokens leave this tab, and the managed login ends its own session. */
export function signOutOfCognito(config: CognitoSignIn): void {
  clearTimeout(refreshTimer);
  session.signOut();
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  location.assign(logoutUrlOf(config, consoleUri()));
}
