// What the web console reads at start (GET /console-config.json, beside its files): how people
// sign in where it is served. The local host answers with the API token sign-in; the CDK app
// deploys the Cognito managed login's endpoints and the console's app client id. It holds no
// secret: the console's app client is public (authorization code with PKCE, no client secret).

export const CONSOLE_CONFIG_PATH = "/console-config.json";

/** Signing in with the API token `npm start` prints (kept in sessionStorage). */
export interface TokenSignIn {
  readonly kind: "token";
}

/** Signing in through Cognito's managed login: OAuth 2.0 authorization code with PKCE (S256). */
export interface CognitoSignIn {
  readonly kind: "cognito";
  /** https://<domain>/oauth2/authorize */
  readonly authorizeUrl: string;
  /** https://<domain>/oauth2/token (code exchange and refresh) */
  readonly tokenUrl: string;
  /** https://<domain>/logout */
  readonly logoutUrl: string;
  /** The console's app client (public: no secret). */
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export interface ConsoleConfig {
  readonly signIn: TokenSignIn | CognitoSignIn;
}

export const LOCAL_CONSOLE_CONFIG: ConsoleConfig = { signIn: { kind: "token" } };

/**
 * The console's Content-Security-Policy: scripts and styles from its own origin only, no inline
 * code, API calls to the same origin, plus the sign-in's token endpoint origin where it has one
 * (passed as a string: on AWS it is only known as a CloudFormation token at synth).
 */
export function consoleCsp(extraConnectSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src ${["'self'", ...extraConnectSources].join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
