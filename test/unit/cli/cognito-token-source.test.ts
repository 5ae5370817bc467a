import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  credentialsPath,
  forgetCredentials,
  readCredentials,
  saveCredentials,
} from "../../../functions/cli/cognito-credentials.ts";
import {
  cognitoSignIn,
  findTokenSource,
  TOKEN_SOURCES,
} from "../../../functions/cli/token-sources.ts";

const URL_ = "https://api.example.test/prod";
const NOW = Date.parse("2027-02-01T10:00:00Z");

function signedIn(expiresInMs: number) {
  const configHome = mkdtempSync(join(tmpdir(), "certflow-creds-"));
  const env = { XDG_CONFIG_HOME: configHome };
  saveCredentials(credentialsPath(env), `${URL_}/`, {
    clientId: "client-1",
    region: "eu-west-1",
    username: "ada",
    idToken: "id-old",
    refreshToken: "refresh-1",
    expiresAt: new Date(NOW + expiresInMs).toISOString(),
  });
  const calls: { url: string; target: string; body: unknown }[] = [];
  const fetchFake = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = init?.headers as Record<string, string>;
    calls.push({
      url: String(input),
      target: headers["x-amz-target"] ?? "",
      body: JSON.parse(String(init?.body)),
    });
    return new Response(
      JSON.stringify({ AuthenticationResult: { IdToken: "id-new", ExpiresIn: 3600 } }),
      { status: 200 },
    );
  }) as typeof fetch;
  const context = {
    env,
    cwd: "/nonexistent",
    serviceUrl: URL_,
    role: "customer" as const,
    fetch: fetchFake,
    now: () => NOW,
  };
  return { env, context, calls };
}

describe("the sign-in certflow login keeps, as a token source", () => {
  it("sends the kept ID token while it has more than 5 minutes left", async () => {
    const { context, calls } = signedIn(6 * 60_000);

    const token = await cognitoSignIn(context)?.token();

    expect(token).toBe("id-old");
    expect(calls).toEqual([]);
  });

  it("refreshes it at Cognito's regional endpoint within 5 minutes of expiry, and keeps the new one", async () => {
    const { env, context, calls } = signedIn(4 * 60_000);

    const token = await cognitoSignIn(context)?.token();

    expect(token).toBe("id-new");
    expect(calls).toEqual([
      {
        url: "https://cognito-idp.eu-west-1.amazonaws.com/",
        target: "AWSCognitoIdentityProviderService.InitiateAuth",
        body: {
          ClientId: "client-1",
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: "refresh-1" },
        },
      },
    ]);
    expect(readCredentials(credentialsPath(env), URL_)).toMatchObject({
      idToken: "id-new",
      refreshToken: "refresh-1",
      expiresAt: new Date(NOW + 3_600_000).toISOString(),
    });
  });

  it("comes after CERTFLOW_TOKEN, applies to its own URL only, and is gone after logout", () => {
    const { env, context } = signedIn(3_600_000);

    const withEnvToken = findTokenSource({ ...context, env: { ...env, CERTFLOW_TOKEN: "cf_x" } });
    const elsewhere = cognitoSignIn({ ...context, serviceUrl: "https://other.example.test" });
    const forgotten = forgetCredentials(credentialsPath(env), URL_);

    expect(TOKEN_SOURCES.indexOf(cognitoSignIn)).toBe(1);
    expect(withEnvToken?.origin).toBe("CERTFLOW_TOKEN");
    expect(elsewhere).toBeUndefined();
    expect(forgotten).toBe(true);
    expect(cognitoSignIn(context)).toBeUndefined();
  });

  it("keeps the file under XDG_CONFIG_HOME when it is absolute, else under ~/.config", () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: "/x/conf" }, "/home/ada")).toBe(
      "/x/conf/certflow/credentials.json",
    );
    expect(credentialsPath({ XDG_CONFIG_HOME: "rel" }, "/home/ada")).toBe(
      "/home/ada/.config/certflow/credentials.json",
    );
    expect(credentialsPath({}, "/home/ada")).toBe("/home/ada/.config/certflow/credentials.json");
  });

  it("says to sign in again when Cognito refuses the refresh token", async () => {
    const { env, context } = signedIn(0);
    const refusing = (async () =>
      new Response(
        JSON.stringify({ __type: "NotAuthorizedException", message: "Refresh Token has expired" }),
        { status: 400 },
      )) as typeof fetch;

    const attempt = cognitoSignIn({ ...context, fetch: refusing })?.token();

    await expect(attempt).rejects.toThrow(
      `the sign-in for ${URL_} has ended (NotAuthorizedException); run certflow login again.`,
    );
    expect(readFileSync(credentialsPath(env), "utf8")).toContain("id-old");
  });

  it("keeps other services' sign-ins when one is saved", () => {
    const { env } = signedIn(3_600_000);
    const path = credentialsPath(env);
    const first = readCredentials(path, URL_);
    if (first === undefined) throw new Error("no sign-in kept");

    saveCredentials(path, "https://second.example.test", { ...first, idToken: "id-second" });

    expect(readCredentials(path, URL_)?.idToken).toBe("id-old");
    expect(readCredentials(path, "https://second.example.test")?.idToken).toBe("id-second");
  });
});
