import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLocalSettings, SettingsError } from "../../../../infra/local/local-settings.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "certflow-settings-"));
const read = (environment: Record<string, string> = {}) =>
  readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), ...environment });

describe("the local settings of the embedded CA's CRL", () => {
  it("default to a CRL valid for 7 days, refreshed daily, served where the service listens", () => {
    expect(read()).toMatchObject({
      crlBaseUrl: undefined,
      crlValiditySeconds: 604_800,
      scheduleIntervalSeconds: 86_400,
    });
  });

  it("serve the CRL under CERTFLOW_CRL_BASE_URL, else under CERTFLOW_PUBLIC_URL", () => {
    expect(read({ CERTFLOW_CRL_BASE_URL: "http://pki.example.test/" }).crlBaseUrl).toBe(
      "http://pki.example.test",
    );
    expect(read({ CERTFLOW_PUBLIC_URL: "https://certflow.example.test" }).crlBaseUrl).toBe(
      "https://certflow.example.test",
    );
  });

  it.each([
    [{ CERTFLOW_CRL_BASE_URL: "pki.example.test" }, /CERTFLOW_CRL_BASE_URL must be an http/],
    [
      { CERTFLOW_CRL_VALIDITY_SECONDS: "600" },
      /CERTFLOW_CRL_VALIDITY_SECONDS must be at least 3600/,
    ],
    [
      { CERTFLOW_SCHEDULE_INTERVAL_SECONDS: "0" },
      /CERTFLOW_SCHEDULE_INTERVAL_SECONDS must be positive/,
    ],
    [
      { CERTFLOW_CRL_VALIDITY_SECONDS: "7200", CERTFLOW_SCHEDULE_INTERVAL_SECONDS: "3601" },
      /at least twice CERTFLOW_SCHEDULE_INTERVAL_SECONDS/,
    ],
  ])("refuse %o in one sentence naming the setting", (environment, message) => {
    expect(() => read(environment)).toThrow(SettingsError);
    expect(() => read(environment)).toThrow(message);
  });
});
