import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "Correct-horse-battery-1";
const CLIENT_ID = "api-client-id";
const bin = join(import.meta.dirname, "..", "..", "..", "bin", "certflow.mjs");

interface CognitoCall {
  readonly target: string;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

let idp: Server;
let api: Server;
let idpUrl = "";
let apiUrl = "";
const cognitoCalls: CognitoCall[] = [];
const authorizations: string[] = [];
/** ID tokens the fake API takes, as Cognito's authorizer would. */
const validIdTokens = new Set<string>();
let issued = 0;

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += (chunk as Buffer).toString("utf8");
  return text;
}

function answer(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  response.end(JSON.stringify(body));
}

/** Tokens as Cognito returns them; the ID token is a JWT-shaped string the fake API knows. */
function tokens(withRefresh: boolean) {
  issued += 1;
  const idToken = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ n: issued })).toString("base64url")}.sig${issued}`;
  validIdTokens.add(idToken);
  return {
    AuthenticationResult: {
      IdToken: idToken,
      AccessToken: `access-${issued}`,
      ...(withRefresh ? { RefreshToken: "refresh-token-1" } : {}),
      ExpiresIn: 3600,
      TokenType: "Bearer",
    },
    ChallengeParameters: {},
  };
}

/** Cognito's JSON API, as InitiateAuth and RespondToAuthChallenge answer for a public client. */
async function cognito(request: IncomingMessage, response: ServerResponse) {
  const body = JSON.parse(await bodyOf(request)) as Record<string, any>;
  const target = String(request.headers["x-amz-target"]);
  cognitoCalls.push({ target, contentType: String(request.headers["content-type"]), body });
  if (body.ClientId !== CLIENT_ID) {
    return answer(response, 400, { __type: "ResourceNotFoundException", message: "no client" });
  }
  if (target === "AWSCognitoIdentityProviderService.InitiateAuth") {
    const params = body.AuthParameters ?? {};
    if (body.AuthFlow === "REFRESH_TOKEN_AUTH") {
      return params.REFRESH_TOKEN === "refresh-token-1"
        ? answer(response, 200, tokens(false))
        : answer(response, 400, {
            __type: "NotAuthorizedException",
            message: "Invalid Refresh Token",
          });
    }
    if (body.AuthFlow !== "USER_PASSWORD_AUTH" || params.PASSWORD !== PASSWORD) {
      return answer(response, 400, {
        __type: "NotAuthorizedException",
        message: "Incorrect username or password.",
      });
    }
    if (params.USERNAME === "new-user") {
      return answer(response, 200, {
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: "session-new",
        ChallengeParameters: {},
      });
    }
    if (params.USERNAME === "mfa-user") {
      return answer(response, 200, {
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: "session-mfa",
        ChallengeParameters: {},
      });
    }
    return answer(response, 200, tokens(true));
  }
  if (target === "AWSCognitoIdentityProviderService.RespondToAuthChallenge") {
    const ok =
      body.ChallengeName === "SOFTWARE_TOKEN_MFA" &&
      body.Session === "session-mfa" &&
      body.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE === "123456";
    return ok
      ? answer(response, 200, tokens(true))
      : answer(response, 400, { __type: "CodeMismatchException", message: "Invalid code" });
  }
  return answer(response, 400, { __type: "UnknownOperationException" });
}

/** The service's API: records the Authorization header, takes only the ID tokens Cognito issued. */
function service(request: IncomingMessage, response: ServerResponse) {
  const authorization = request.headers.authorization ?? "";
  authorizations.push(authorization);
  const token = authorization.replace(/^Bearer /, "");
  response.setHeader("content-type", "application/json");
  if (!validIdTokens.has(token)) {
    response.writeHead(401);
    return response.end(JSON.stringify({ message: "Unauthorized" }));
  }
  if (request.url === "/v1/whoami") {
    return response.end(JSON.stringify({ tenantId: "tenant-cli", role: "customer" }));
  }
  return response.end(JSON.stringify({ orders: [] }));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  idp = createServer((request, response) => {
    cognito(request, response).catch(() => answer(response, 500, {}));
  });
  api = createServer(service);
  idpUrl = await listen(idp);
  apiUrl = await listen(api);
});

afterAll(async () => {
  for (const server of [idp, api]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Runs bin/certflow.mjs as a user would, with `stdin` piped in; never blocks the fakes. */
function certflow(configHome: string, args: string[], stdin = "") {
  const env: Record<string, string | undefined> = {
    ...process.env,
    XDG_CONFIG_HOME: configHome,
    CERTFLOW_COGNITO_ENDPOINT: `${idpUrl}/`,
    // No local service's token to fall back on.
    CERTFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), "certflow-login-data-")),
  };
  delete env.CERTFLOW_TOKEN;
  delete env.CERTFLOW_URL;
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(stdin);
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const login = (configHome: string, username: string, stdin: string) =>
  certflow(
    configHome,
    [
      "login",
      "--url",
      apiUrl,
      "--user-pool-client-id",
      CLIENT_ID,
      "--region",
      "eu-central-1",
      "--username",
      username,
      "--password-stdin",
    ],
    stdin,
  );

const credentialsFile = (configHome: string) => join(configHome, "certflow", "credentials.json");
const kept = (configHome: string) =>
  JSON.parse(readFileSync(credentialsFile(configHome), "utf8")).services[apiUrl];

describe("certflow login against Cognito's JSON API", () => {
  it("signs in, sends the ID token, refreshes an expired one once and keeps it, and logs out", async () => {
    // Prepare
    const configHome = mkdtempSync(join(tmpdir(), "certflow-login-"));

    // Act: sign in, then a command.
    const signedIn = await login(configHome, "ada", `${PASSWORD}\n`);
    const first = kept(configHome);
    const fileMode = statSync(credentialsFile(configHome)).mode & 0o777;
    const folderMode = statSync(join(configHome, "certflow")).mode & 0o777;
    const listed = await certflow(configHome, ["list", "--url", apiUrl]);
    const sentFirst = authorizations.at(-1);

    // The ID token expires: the next command refreshes it once and keeps the new one.
    const file = JSON.parse(readFileSync(credentialsFile(configHome), "utf8"));
    file.services[apiUrl].expiresAt = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(credentialsFile(configHome), JSON.stringify(file), { mode: 0o600 });
    const refreshesBefore = cognitoCalls.filter(
      (call) => call.body.AuthFlow === "REFRESH_TOKEN_AUTH",
    ).length;
    const afterExpiry = await certflow(configHome, ["list", "--url", apiUrl]);
    const sentAfterExpiry = authorizations.at(-1);
    const again = await certflow(configHome, ["list", "--url", apiUrl]);
    const sentAgain = authorizations.at(-1);
    const refreshes = cognitoCalls.filter((call) => call.body.AuthFlow === "REFRESH_TOKEN_AUTH");
    const second = kept(configHome);
    const modeAfterRefresh = statSync(credentialsFile(configHome)).mode & 0o777;

    const loggedOut = await certflow(configHome, ["logout", "--url", apiUrl]);
    const afterLogout = await certflow(configHome, ["list", "--url", apiUrl]);

    // Assess
    expect(signedIn.stderr).toContain(
      `Signed in to ${apiUrl} as ada: customer of tenant tenant-cli`,
    );
    expect(signedIn.status).toBe(0);
    const passwordCall = cognitoCalls.find((call) => call.body.AuthFlow === "USER_PASSWORD_AUTH");
    expect(passwordCall?.target).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(passwordCall?.contentType).toBe("application/x-amz-json-1.1");
    expect(first).toMatchObject({
      clientId: CLIENT_ID,
      region: "eu-central-1",
      username: "ada",
      refreshToken: "refresh-token-1",
    });
    expect(fileMode).toBe(0o600);
    expect(folderMode).toBe(0o700);
    expect(listed.status).toBe(0);
    expect(sentFirst).toBe(`Bearer ${first.idToken}`);
    expect(afterExpiry.status).toBe(0);
    expect(refreshes.length - refreshesBefore).toBe(1);
    expect(refreshes.at(-1)?.body).toEqual({
      ClientId: CLIENT_ID,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: "refresh-token-1" },
    });
    expect(second.idToken).not.toBe(first.idToken);
    expect(second.refreshToken).toBe("refresh-token-1");
    expect(Date.parse(second.expiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(sentAfterExpiry).toBe(`Bearer ${second.idToken}`);
    expect(again.status).toBe(0);
    expect(sentAgain).toBe(`Bearer ${second.idToken}`);
    expect(modeAfterRefresh).toBe(0o600);
    for (const run of [signedIn, listed, afterExpiry, again, loggedOut]) {
      for (const secret of [PASSWORD, first.idToken, second.idToken, "refresh-token-1"]) {
        expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
      }
    }
    expect(loggedOut.status).toBe(0);
    expect(loggedOut.stderr).toContain(`Signed out of ${apiUrl}`);
    expect(afterLogout.status).toBe(2);
    expect(afterLogout.stderr).toContain("No token for");
  });

  it("says the password is wrong and exits 1, keeping nothing", async () => {
    const configHome = mkdtempSync(join(tmpdir(), "certflow-login-"));

    const refused = await login(configHome, "ada", "not-the-password\n");

    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("the user name or password is wrong");
    expect(refused.stderr).not.toContain("not-the-password");
    expect(() => statSync(credentialsFile(configHome))).toThrow();
  });

  it("signs in to a deployment over https only: plain http is for this machine", async () => {
    const configHome = mkdtempSync(join(tmpdir(), "certflow-login-"));

    const refused = await certflow(
      configHome,
      ["login", "--url", "http://certflow.example.com", "--user-pool-client-id", CLIENT_ID].concat([
        "--region",
        "eu-central-1",
        "--username",
        "ada",
        "--password-stdin",
      ]),
      "correct horse battery staple\n",
    );

    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("--url must be https");
    expect(() => statSync(credentialsFile(configHome))).toThrow();
  });

  it("answers an MFA challenge with the code from stdin's second line", async () => {
    const configHome = mkdtempSync(join(tmpdir(), "certflow-login-"));

    const wrongCode = await login(configHome, "mfa-user", `${PASSWORD}\n000000\n`);
    const signedIn = await login(configHome, "mfa-user", `${PASSWORD}\n123456\n`);

    expect(wrongCode.status).toBe(1);
    expect(wrongCode.stderr).toContain("the MFA code is wrong or has expired");
    expect(signedIn.status).toBe(0);
    expect(kept(configHome).username).toBe("mfa-user");
  });

  it("sends a user who must choose a new password to the console's sign-in page", async () => {
    const configHome = mkdtempSync(join(tmpdir(), "certflow-login-"));

    const asked = await login(configHome, "new-user", `${PASSWORD}\n`);

    expect(asked.status).toBe(1);
    expect(asked.stderr).toContain("must choose a new password first");
    expect(asked.stderr).toContain("web console's sign-in page");
  });
});
