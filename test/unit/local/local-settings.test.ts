import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseApiTokens,
  readLocalSettings,
  SettingsError,
} from "../../../infra/local/local-settings.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "certflow-settings-"));

describe("readLocalSettings", () => {
  it("uses the documented defaults", () => {
    const settings = readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() });
    expect(settings).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      ca: "embedded",
      dnsResolver: undefined,
      httpValidationPort: 80,
      validationTimeoutSeconds: 86_400,
      checkMinSeconds: 30,
      checkMaxSeconds: 3_600,
      generatedTokens: true,
    });
  });

  it("generates a customer and an operator token once, kept private in the data directory", () => {
    const directory = dataDir();
    const first = readLocalSettings({ CERTFLOW_DATA_DIR: directory });
    const second = readLocalSettings({ CERTFLOW_DATA_DIR: directory });
    expect(first.tokens.map((token) => token.role)).toEqual(["customer", "operator"]);
    expect(second.tokens).toEqual(first.tokens);
    expect(statSync(join(directory, "local-tokens.json")).mode & 0o777).toBe(0o600);
  });

  it.each([
    [{ CERTFLOW_DNS_RESOLVER: "localhost" }, /host:port/],
    [{ CERTFLOW_HTTP_VALIDATION_PORT: "eighty" }, /CERTFLOW_HTTP_VALIDATION_PORT/],
    [{ CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "-5" }, /CERTFLOW_VALIDATION_TIMEOUT_SECONDS/],
    [{ CERTFLOW_CHECK_MIN_SECONDS: "100", CERTFLOW_CHECK_MAX_SECONDS: "10" }, /must not exceed/],
    [{ CERTFLOW_CA: "letsencrypt" }, /embedded|acme/],
  ])("refuses %o with a message naming the setting", (environment, message) => {
    expect(() => readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), ...environment })).toThrow(
      message,
    );
  });
});

describe("parseApiTokens", () => {
  it("reads token:tenant:role entries", () => {
    expect(parseApiTokens("abcdefgh:acme:customer, ijklmnop:ops:operator")).toEqual([
      { token: "abcdefgh", tenantId: "acme", role: "customer" },
      { token: "ijklmnop", tenantId: "ops", role: "operator" },
    ]);
  });

  it.each(["short:acme:customer", "abcdefgh:acme:admin", "abcdefgh::customer", "abcdefgh:acme"])(
    "refuses %s",
    (entry) => {
      expect(() => parseApiTokens(entry)).toThrow(SettingsError);
    },
  );

  it("does not echo the token of a refused entry", () => {
    expect(() => parseApiTokens("supersecret-token:acme:admin")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("supersecret") }),
    );
  });
});
