import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localConsoleConfig } from "../../../../infra/local/console-files.ts";
import { createIdTokenVerifier } from "../../../../infra/local/local-id-tokens.ts";
import { readLocalSettings, SettingsError } from "../../../../infra/local/local-settings.ts";

const ISSUER = "http://127.0.0.1:9100";
const NOW = 1_800_000_000;
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function jwt(claims: Record<string, unknown>, key: KeyObject = privateKey, kid = "k1"): string {
  const signed = `${part({ alg: "RS256", kid, typ: "JWT" })}.${part(claims)}`;
  return `${signed}.${sign("sha256", Buffer.from(signed), key).toString("base64url")}`;
}

const idClaims = {
  iss: ISSUER,
  aud: "console-client",
  token_use: "id",
  exp: NOW + 60,
  "custom:tenant": "tenant-a",
  "cognito:groups": ["customer"],
};

function verifier() {
  let fetches = 0;
  const verify = createIdTokenVerifier(
    { issuer: ISSUER, clientId: "console-client" },
    {
      fetchJwks: async () => {
        fetches += 1;
        return { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256" }] };
      },
      nowSeconds: () => NOW,
    },
  );
  return { verify, fetches: () => fetches };
}

describe("ID tokens of the console's sign-in, on the local host", () => {
  it("takes an unexpired ID token the issuer's key signed for the console's client", async () => {
    const { verify, fetches } = verifier();

    const claims = await verify(jwt(idClaims));
    await verify(jwt(idClaims));

    expect(claims?.["custom:tenant"]).toBe("tenant-a");
    expect(fetches()).toBe(1);
  });

  it.each([
    ["expired", { ...idClaims, exp: NOW }],
    ["another issuer", { ...idClaims, iss: "http://127.0.0.1:9200" }],
    ["another client", { ...idClaims, aud: "other-client" }],
    ["an access token", { ...idClaims, token_use: "access" }],
    ["no expiry", { ...idClaims, exp: undefined }],
  ])("refuses %s", async (_what, claims) => {
    const { verify } = verifier();
    expect(await verify(jwt(claims))).toBeUndefined();
  });

  it("refuses a token signed by another key, an unknown key id, a changed payload, or no JWT", async () => {
    const { verify } = verifier();
    const genuine = jwt(idClaims);
    const [header, , signature] = genuine.split(".");
    const changed = `${header}.${part({ ...idClaims, "custom:tenant": "tenant-b" })}.${signature}`;
    const unsigned = `${part({ alg: "none", kid: "k1" })}.${part(idClaims)}.`;

    expect(await verify(jwt(idClaims, other.privateKey))).toBeUndefined();
    expect(await verify(jwt(idClaims, privateKey, "k2"))).toBeUndefined();
    expect(await verify(changed)).toBeUndefined();
    expect(await verify(unsigned)).toBeUndefined();
    expect(await verify("cf_plain-api-token")).toBeUndefined();
  });
});

describe("the console's sign-in settings", () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), "certflow-settings-"));

  it("signs in with the pasted token unless CERTFLOW_CONSOLE_SIGN_IN_URL names a provider", () => {
    const settings = readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() });
    expect(settings.consoleSignIn).toBeUndefined();
    expect(localConsoleConfig(settings.consoleSignIn)).toEqual({ signIn: { kind: "token" } });
  });

  it("points the console at the provider's managed-login paths with the client id", () => {
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_CONSOLE_SIGN_IN_URL: `${ISSUER}/`,
      CERTFLOW_CONSOLE_CLIENT_ID: "console-client",
    });

    expect(settings.consoleSignIn).toEqual({
      baseUrl: ISSUER,
      clientId: "console-client",
      issuer: ISSUER,
    });
    expect(localConsoleConfig(settings.consoleSignIn).signIn).toMatchObject({
      kind: "cognito",
      authorizeUrl: `${ISSUER}/oauth2/authorize`,
      tokenUrl: `${ISSUER}/oauth2/token`,
      logoutUrl: `${ISSUER}/logout`,
      clientId: "console-client",
    });
    expect(() =>
      readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), CERTFLOW_CONSOLE_SIGN_IN_URL: "ftp://x" }),
    ).toThrow(SettingsError);
  });
});
