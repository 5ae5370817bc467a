// A stand-in for Cognito's managed login on 127.0.0.1: /oauth2/authorize (a tiny sign-in form
// that sends the browser back with a code), /oauth2/token (the code exchange, checking client,
// redirect URI and PKCE S256, and refreshes), /logout, and the JWKS its RS256 ID tokens are
// checked with (/.well-known/jwks.json). It records every exchange for the tests to look at.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUser {
  readonly tenant: string;
  readonly groups: readonly string[];
}

export interface TokenExchange {
  readonly grantType: string;
  readonly status: number;
  readonly error?: string;
}

export interface FakeAuthorizationServer {
  /** The base URL, like a managed-login domain; also the ID tokens' issuer. */
  readonly url: string;
  readonly exchanges: readonly TokenExchange[];
  readonly logouts: readonly URLSearchParams[];
  /** The authorize requests' parameters, as the browser sent them. */
  readonly authorizations: readonly URLSearchParams[];
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of request) text += (chunk as Buffer).toString("utf8");
  return new URLSearchParams(text);
}

export async function startFakeAuthorizationServer(options: {
  readonly clientId: string;
  readonly users: Readonly<Record<string, FakeUser>>;
  /** How long each ID token lives. */
  readonly idTokenSeconds: number;
}): Promise<FakeAuthorizationServer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(6).toString("hex");
  const codes = new Map<
    string,
    { username: string; challenge: string; redirectUri: string; used: boolean }
  >();
  const refreshTokens = new Map<string, string>();
  const exchanges: TokenExchange[] = [];
  const logouts: URLSearchParams[] = [];
  const authorizations: URLSearchParams[] = [];
  let url = "";

  const idTokenFor = (username: string) => {
    const user = options.users[username];
    const now = Math.floor(Date.now() / 1000);
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const signed = `${part({ alg: "RS256", kid, typ: "JWT" })}.${part({
      sub: `sub-${username}`,
      iss: url,
      aud: options.clientId,
      token_use: "id",
      iat: now,
      exp: now + options.idTokenSeconds,
      "cognito:username": username,
      "custom:tenant": user?.tenant,
      "cognito:groups": user?.groups,
    })}`;
    return `${signed}.${sign("sha256", Buffer.from(signed), privateKey).toString("base64url")}`;
  };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      // The console calls the token endpoint from its own origin, as Cognito allows.
      "access-control-allow-origin": "*",
    });
    response.end(JSON.stringify(body));
  };

  const token = async (request: IncomingMessage, response: ServerResponse) => {
    const form = await formOf(request);
    const grantType = form.get("grant_type") ?? "";
    const refuse = (error: string) => {
      exchanges.push({ grantType, status: 400, error });
      json(response, 400, { error });
    };
    if (form.get("client_id") !== options.clientId) return refuse("invalid_client");
    if (grantType === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      if (code === undefined || code.used) return refuse("invalid_grant");
      code.used = true;
      if (form.get("redirect_uri") !== code.redirectUri) return refuse("invalid_grant");
      if (createHash("sha256").update(verifier).digest("base64url") !== code.challenge) {
        return refuse("invalid_grant");
      }
      const refreshToken = randomBytes(24).toString("base64url");
      refreshTokens.set(refreshToken, code.username);
      exchanges.push({ grantType, status: 200 });
      return json(response, 200, {
        id_token: idTokenFor(code.username),
        access_token: randomBytes(16).toString("base64url"),
        refresh_token: refreshToken,
        token_type: "Bearer",
        expires_in: options.idTokenSeconds,
      });
    }
    if (grantType === "refresh_token") {
      const username = refreshTokens.get(form.get("refresh_token") ?? "");
      if (username === undefined) return refuse("invalid_grant");
      exchanges.push({ grantType, status: 200 });
      return json(response, 200, {
        id_token: idTokenFor(username),
        access_token: randomBytes(16).toString("base64url"),
        token_type: "Bearer",
        expires_in: options.idTokenSeconds,
      });
    }
    return refuse("unsupported_grant_type");
  };

  /** The sign-in form: the user's name and "Sign in", or "Cancel" (access_denied). */
  const authorize = (params: URLSearchParams, response: ServerResponse) => {
    authorizations.push(params);
    const hidden = ["client_id", "redirect_uri", "state", "code_challenge"]
      .map(
        (name) =>
          `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? "")}">`,
      )
      .join("");
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html lang="en"><head><title>Sign in</title></head><body><main>
<h1>Example sign-in</h1><form method="post" action="/login">${hidden}
<label for="username">Username</label> <input id="username" name="username">
<button type="submit" name="decision" value="allow">Continue</button>
<button type="submit" name="decision" value="deny">Cancel</button></form></main></body></html>`);
  };

  const login = async (request: IncomingMessage, response: ServerResponse) => {
    const form = await formOf(request);
    const redirect = new URL(form.get("redirect_uri") ?? "");
    const username = form.get("username") ?? "";
    if (form.get("decision") !== "allow" || options.users[username] === undefined) {
      redirect.searchParams.set("error", "access_denied");
    } else {
      const code = randomBytes(16).toString("base64url");
      codes.set(code, {
        username,
        challenge: form.get("code_challenge") ?? "",
        redirectUri: form.get("redirect_uri") ?? "",
        used: false,
      });
      redirect.searchParams.set("code", code);
    }
    redirect.searchParams.set("state", form.get("state") ?? "");
    response.writeHead(302, { location: redirect.href });
    response.end();
  };

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const requestUrl = new URL(request.url ?? "/", "http://localhost");
    switch (`${request.method} ${requestUrl.pathname}`) {
      case "GET /oauth2/authorize":
        return authorize(requestUrl.searchParams, response);
      case "POST /login":
        return login(request, response);
      case "POST /oauth2/token":
        return token(request, response);
      case "GET /.well-known/jwks.json":
        return json(response, 200, {
          keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }],
        });
      case "GET /logout":
        logouts.push(requestUrl.searchParams);
        response.writeHead(302, { location: requestUrl.searchParams.get("logout_uri") ?? "/" });
        response.end();
        return;
      default:
        return json(response, 404, { error: "not_found" });
    }
  };
  const server = createServer((request, response) => {
    serve(request, response).catch(() => json(response, 500, { error: "server_error" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    exchanges,
    logouts,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
