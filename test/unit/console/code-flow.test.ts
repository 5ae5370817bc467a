import { createHash, randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  authorizeUrlOf,
  callbackOf,
  codeChallengeOf,
  codeExchangeBody,
  codeVerifierFrom,
  expiryOf,
  logoutUrlOf,
  refreshBody,
  SignInRefused,
  secondsUntilRefresh,
  stateFrom,
  tokensOf,
} from "../../../console/src/code-flow.ts";
import type { CognitoSignIn } from "../../../functions/api/console-config.ts";

const CONFIG: CognitoSignIn = {
  kind: "cognito",
  authorizeUrl: "https://login.example.test/oauth2/authorize",
  tokenUrl: "https://login.example.test/oauth2/token",
  logoutUrl: "https://login.example.test/logout",
  clientId: "console-client",
  scopes: ["openid", "email"],
};
const random = (bytes: Uint8Array<ArrayBuffer>) => randomFillSync(bytes);
const jwtWith = (claims: Record<string, unknown>) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

describe("PKCE (RFC 7636)", () => {
  it("derives appendix B's challenge from its verifier", async () => {
    const challenge = await codeChallengeOf(
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
      crypto.subtle,
    );
    expect(challenge).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("makes verifiers of 43 to 128 unreserved characters, different each time", async () => {
    const first = codeVerifierFrom(random);
    const second = codeVerifierFrom(random);
    const longest = codeVerifierFrom(random, 128);

    for (const verifier of [first, second, longest]) {
      expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    }
    expect(first).not.toBe(second);
    expect(longest).toHaveLength(128);
    expect(await codeChallengeOf(first, crypto.subtle)).toBe(
      createHash("sha256").update(first).digest("base64url"),
    );
  });

  it("takes no byte that would favour some characters", () => {
    // Only bytes below 198 count: 250, 198 and 255 are skipped, 0 is "A", 65 is "~", 66 is "A".
    let calls = 0;
    const fixed = (bytes: Uint8Array<ArrayBuffer>) => {
      calls += 1;
      bytes.fill(calls === 1 ? 250 : 0);
      if (calls === 2) bytes.set([198, 255, 65, 66]);
      return bytes;
    };
    const verifier = codeVerifierFrom(fixed, 43);
    expect(verifier.slice(0, 3)).toBe("~AA");
    expect(verifier).toHaveLength(43);
  });

  it("makes a random state of 16 bytes", () => {
    expect(stateFrom(random)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(stateFrom(random)).not.toBe(stateFrom(random));
  });
});

describe("the URLs and bodies of the code flow", () => {
  it("asks the authorize endpoint for a code with the S256 challenge", () => {
    const url = new URL(
      authorizeUrlOf(CONFIG, {
        redirectUri: "https://console.example.test/",
        state: "st4te",
        challenge: "ch4llenge",
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(CONFIG.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "console-client",
      redirect_uri: "https://console.example.test/",
      scope: "openid email",
      state: "st4te",
      code_challenge_method: "S256",
      code_challenge: "ch4llenge",
    });
  });

  it("exchanges the code with the verifier, refreshes with the refresh token, logs out", () => {
    const exchange = new URLSearchParams(
      codeExchangeBody(CONFIG, {
        code: "c0de",
        redirectUri: "https://console.example.test/",
        verifier: "v".repeat(43),
      }),
    );
    const refresh = new URLSearchParams(refreshBody(CONFIG, "r3fresh"));
    const logout = new URL(logoutUrlOf(CONFIG, "https://console.example.test/"));

    expect(Object.fromEntries(exchange)).toEqual({
      grant_type: "authorization_code",
      client_id: "console-client",
      code: "c0de",
      redirect_uri: "https://console.example.test/",
      code_verifier: "v".repeat(43),
    });
    expect(Object.fromEntries(refresh)).toEqual({
      grant_type: "refresh_token",
      client_id: "console-client",
      refresh_token: "r3fresh",
    });
    expect(logout.pathname).toBe("/logout");
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: "console-client",
      logout_uri: "https://console.example.test/",
    });
  });

  it("reads the callback: a code with its state, an error in words, or nothing", () => {
    expect(callbackOf("?code=c0de&state=st4te")).toEqual({
      kind: "code",
      code: "c0de",
      state: "st4te",
    });
    expect(callbackOf("?error=access_denied&state=st4te")).toMatchObject({
      kind: "error",
      message: expect.stringContaining("cancelled or refused"),
    });
    expect(callbackOf("?error=server_error&error_description=down")).toMatchObject({
      message: "The sign-in page answered server_error: down.",
    });
    expect(callbackOf("")).toEqual({ kind: "none" });
  });
});

describe("the token endpoint's answers", () => {
  it("takes the ID and refresh tokens, and a refresh's ID token alone", () => {
    expect(tokensOf(200, { id_token: "i", refresh_token: "r", access_token: "a" })).toEqual({
      idToken: "i",
      refreshToken: "r",
    });
    expect(tokensOf(200, { id_token: "i2", access_token: "a2" })).toEqual({ idToken: "i2" });
  });

  it("says in words why it refused", () => {
    expect(() => tokensOf(400, { error: "invalid_grant" })).toThrow(/refused the code/);
    expect(() => tokensOf(400, { error: "invalid_client" })).toThrow(/app client/);
    expect(() => tokensOf(500, "not json")).toThrow(SignInRefused);
    expect(() => tokensOf(200, { access_token: "a" })).toThrow(/HTTP 200/);
  });
});

describe("when an ID token is refreshed", () => {
  it("reads exp and iat from the payload without checking the signature", () => {
    expect(expiryOf(jwtWith({ exp: 1_900_000_000, iat: 1_899_996_400 }))).toEqual({
      exp: 1_900_000_000,
      iat: 1_899_996_400,
    });
    expect(expiryOf("not-a-jwt")).toBeUndefined();
    expect(expiryOf(jwtWith({ sub: "x" }))).toBeUndefined();
  });

  it("a minute before an hour's token expires, a quarter of a short one's life before", () => {
    const hour = jwtWith({ exp: 10_000, iat: 6_400 });
    const short = jwtWith({ exp: 1_008, iat: 1_000 });

    expect(secondsUntilRefresh(hour, 6_400)).toBe(3_540);
    expect(secondsUntilRefresh(hour, 9_950)).toBe(0);
    expect(secondsUntilRefresh(short, 1_000)).toBe(6);
    expect(secondsUntilRefresh(short, 1_010)).toBe(0);
    expect(secondsUntilRefresh("garbage", 0)).toBe(0);
  });
});
