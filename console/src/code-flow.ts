// The pure parts of signing in through Cognito's managed login: OAuth 2.0 authorization code
// with PKCE (RFC 7636, S256), the URLs and form bodies it sends, the token endpoint's answers,
// and when an ID token is due for a refresh. No storage, no network, no clock: the callers
// (cognito-session.ts) pass them in.
import type { CognitoSignIn } from "../../functions/api/console-config.ts";

const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A code verifier of 64 unreserved characters (RFC 7636 §4.1 allows 43 to 128) from random
 * bytes: a byte counts only below 198 (3 × the 66 characters), so every character is equally
 * likely.
 */
export function codeVerifierFrom(
  random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>,
  length = 64,
): string {
  let verifier = "";
  while (verifier.length < length) {
    for (const byte of random(new Uint8Array(length))) {
      if (byte < 3 * UNRESERVED.length && verifier.length < length) {
        verifier += UNRESERVED[byte % UNRESERVED.length];
      }
    }
  }
  return verifier;
}

/** code_challenge = BASE64URL(SHA-256(ASCII(code_verifier))), RFC 7636 §4.2. */
export async function codeChallengeOf(verifier: string, subtle: SubtleCrypto): Promise<string> {
  const digest = await subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A random `state` (16 bytes, base64url) tying the callback to the tab that asked. */
export function stateFrom(
  random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>,
): string {
  return base64url(random(new Uint8Array(16)));
}

/** Where "Sign in" sends the browser. */
export function authorizeUrlOf(
  config: CognitoSignIn,
  request: { readonly redirectUri: string; readonly state: string; readonly challenge: string },
): string {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: request.redirectUri,
    scope: config.scopes.join(" "),
    state: request.state,
    code_challenge_method: "S256",
    code_challenge: request.challenge,
  });
  return `${config.authorizeUrl}?${params.toString()}`;
}

/** Where "Sign out" sends the browser: the managed login forgets its session, then returns. */
export function logoutUrlOf(config: CognitoSignIn, logoutUri: string): string {
  const params = new URLSearchParams({ client_id: config.clientId, logout_uri: logoutUri });
  return `${config.logoutUrl}?${params.toString()}`;
}

/** The form body exchanging the callback's code (application/x-www-form-urlencoded). */
export function codeExchangeBody(
  config: CognitoSignIn,
  exchange: { readonly code: string; readonly redirectUri: string; readonly verifier: string },
): string {
  return new URLSearchParams({
    grant_type: "authorization_code",
    client_id: config.clientId,
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
    code_verifier: exchange.verifier,
  }).toString();
}

/** The form body asking for a new ID token with the refresh token. */
export function refreshBody(config: CognitoSignIn, refreshToken: string): string {
  return new URLSearchParams({
    grant_type: "refresh_token",
    client_id: config.clientId,
    refresh_token: refreshToken,
  }).toString();
}

/** What the callback URL (the query the managed login came back with) says. */
export type Callback =
  | { readonly kind: "none" }
  | { readonly kind: "code"; readonly code: string; readonly state: string }
  | { readonly kind: "error"; readonly message: string };

export function callbackOf(search: string): Callback {
  const params = new URLSearchParams(search);
  const error = params.get("error");
  if (error !== null) {
    const description = params.get("error_description");
    return {
      kind: "error",
      message:
        error === "access_denied"
          ? "The sign-in was cancelled or refused; sign in again."
          : `The sign-in page answered ${error}${description === null ? "" : `: ${description}`}.`,
    };
  }
  const code = params.get("code");
  if (code === null) return { kind: "none" };
  return { kind: "code", code, state: params.get("state") ?? "" };
}

/** The tokens a successful answer of the token endpoint holds. */
export interface Tokens {
  readonly idToken: string;
  /** Absent on a refresh: Cognito keeps the refresh token it gave at sign-in. */
  readonly refreshToken?: string;
}

/** A refusal of the token endpoint, in words for the sign-in screen. */
export class SignInRefused extends Error {
  override readonly name = "SignInRefused";
}

/** The token endpoint's answer: the tokens, or a SignInRefused saying why in plain words. */
export function tokensOf(status: number, body: unknown): Tokens {
  const answer = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (status >= 200 && status < 300 && typeof answer.id_token === "string") {
    return {
      idToken: answer.id_token,
      ...(typeof answer.refresh_token === "string" ? { refreshToken: answer.refresh_token } : {}),
    };
  }
  const error = typeof answer.error === "string" ? answer.error : `HTTP ${status}`;
  throw new SignInRefused(
    error === "invalid_grant"
      ? "The sign-in could not be completed (the sign-in service refused the code or the session has ended); sign in again."
      : error === "invalid_client" || error === "unauthorized_client"
        ? "The sign-in service does not know this console's app client; tell your administrator."
        : `The sign-in service refused the sign-in (${error}); sign in again.`,
  );
}

/** The `exp` and `iat` of a JWT's payload (not verified: the API checks the signature). */
export function expiryOf(jwt: string): { readonly exp: number; readonly iat?: number } | undefined {
  const payload = jwt.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== "number") return undefined;
    return typeof claims.iat === "number"
      ? { exp: claims.exp, iat: claims.iat }
      : { exp: claims.exp };
  } catch {
    return undefined;
  }
}

/**
 * Seconds from `nowSeconds` until the ID token should be refreshed: a minute before it expires,
 * or a quarter of its lifetime before for short-lived tokens; 0 when that is now or past, or
 * when the token's expiry cannot be read.
 */
export function secondsUntilRefresh(idToken: string, nowSeconds: number): number {
  const expiry = expiryOf(idToken);
  if (expiry === undefined) return 0;
  const lifetime = expiry.iat === undefined ? 3600 : expiry.exp - expiry.iat;
  const margin = Math.min(60, Math.max(1, lifetime / 4));
  return Math.max(0, expiry.exp - margin - nowSeconds);
}
