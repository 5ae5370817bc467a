import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseApiTokens,
  readLocalSettings,
  SettingsError,
} from "../../../../infra/local/local-settings.ts";

const ACME = "https://127.0.0.1:14000/dir";
const dataDir = () => mkdtempSync(join(tmpdir(), "certflow-settings-"));

describe("readLocalSettings", () => {
  it("uses the documented defaults", () => {
    const settings = readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() });
    expect(settings).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      ca: "embedded",
      dnsResolver: undefined,
      dnsAuthoritativePort: 53,
      httpValidationPort: 80,
      validationTimeoutSeconds: 86_400,
      checkCadence: { earlySeconds: 900, earlyPeriodSeconds: 3_600, lateSeconds: 7_200 },
      generatedTokens: true,
    });
  });

  it("asks authoritative name servers on the port CERTFLOW_DNS_AUTHORITATIVE_PORT gives", () => {
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_DNS_AUTHORITATIVE_PORT: "5353",
    });
    expect(settings.dnsAuthoritativePort).toBe(5353);
  });

  it("connects the installation check to port 443, or to CERTFLOW_INSTALLATION_CHECK_PORT", () => {
    expect(readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() }).installationCheckPort).toBe(443);
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_INSTALLATION_CHECK_PORT: "8443",
    });
    expect(settings.installationCheckPort).toBe(8443);
    expect(() =>
      readLocalSettings({
        CERTFLOW_DATA_DIR: dataDir(),
        CERTFLOW_INSTALLATION_CHECK_PORT: "70000",
      }),
    ).toThrow("CERTFLOW_INSTALLATION_CHECK_PORT must be a port from 1 to 65535");
  });

  it("gives customers 3 days after a renewal to install it, or CERTFLOW_INSTALLATION_GRACE_SECONDS", () => {
    expect(readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() }).installationGraceSeconds).toBe(
      259_200,
    );
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_INSTALLATION_GRACE_SECONDS: "3600",
    });
    expect(settings.installationGraceSeconds).toBe(3_600);
    expect(() =>
      readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), CERTFLOW_INSTALLATION_GRACE_SECONDS: "0" }),
    ).toThrow("CERTFLOW_INSTALLATION_GRACE_SECONDS must be positive");
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
    [{ CERTFLOW_DNS_AUTHORITATIVE_PORT: "fifty-three" }, /CERTFLOW_DNS_AUTHORITATIVE_PORT/],
    [{ CERTFLOW_DNS_AUTHORITATIVE_PORT: "70000" }, /CERTFLOW_DNS_AUTHORITATIVE_PORT/],
    [{ CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "-5" }, /CERTFLOW_VALIDATION_TIMEOUT_SECONDS/],
    [{ CERTFLOW_CHECK_EARLY_SECONDS: "100", CERTFLOW_CHECK_LATE_SECONDS: "10" }, /must not exceed/],
    [{ CERTFLOW_CA: "letsencrypt" }, /embedded|acme/],
    [{ CERTFLOW_CA: "acme" }, /needs CERTFLOW_ACME_DIRECTORY_URL/],
    [{ CERTFLOW_CA: "acme", CERTFLOW_ACME_DIRECTORY_URL: "pebble" }, /ACME directory/],
    [
      { CERTFLOW_CA: "acme", CERTFLOW_ACME_DIRECTORY_URL: ACME, CERTFLOW_ACME_EAB_KID: "kid-1" },
      /both CERTFLOW_ACME_EAB_KID and CERTFLOW_ACME_EAB_HMAC_KEY/,
    ],
    [
      {
        CERTFLOW_CA: "acme",
        CERTFLOW_ACME_DIRECTORY_URL: ACME,
        CERTFLOW_ACME_CA_CERTS: "/nope.pem",
      },
      /CERTFLOW_ACME_CA_CERTS: cannot read \/nope.pem \(ENOENT\)/,
    ],
    [{ CERTFLOW_DCV_DELEGATION_ZONE: "-bad-.zone" }, /CERTFLOW_DCV_DELEGATION_ZONE/],
  ])("refuses %o with a message naming the setting", (environment, message) => {
    expect(() => readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), ...environment })).toThrow(
      message,
    );
  });
});

describe("webhook retries", () => {
  it("follow Standard Webhooks' schedule unless CERTFLOW_WEBHOOK_RETRY_SECONDS lists pauses", () => {
    expect(readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() }).webhookRetryDelaysSeconds).toBe(
      undefined,
    );
    expect(
      readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), CERTFLOW_WEBHOOK_RETRY_SECONDS: "2, 3,60" })
        .webhookRetryDelaysSeconds,
    ).toEqual([2, 3, 60]);
  });

  it("refuse a list that is not whole seconds, naming the setting", () => {
    expect(() =>
      readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), CERTFLOW_WEBHOOK_RETRY_SECONDS: "5,1.5" }),
    ).toThrow(/CERTFLOW_WEBHOOK_RETRY_SECONDS/);
  });
});

describe("loopback HTTP checks", () => {
  it.each([
    [{}, true],
    [{ CERTFLOW_ALLOW_LOOPBACK_CHECKS: "false" }, false],
    [{ CERTFLOW_ALLOW_LOOPBACK_CHECKS: "0" }, false],
    [{ CERTFLOW_ALLOW_LOOPBACK_CHECKS: "true" }, true],
  ])("are allowed for %o: %s", (environment, allowed) => {
    // Act
    const settings = readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), ...environment });

    // Assess
    expect(settings.allowLoopbackChecks).toBe(allowed);
  });

  it("refuse a value that is neither true nor false, naming the setting", () => {
    // Act
    const attempt = () =>
      readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), CERTFLOW_ALLOW_LOOPBACK_CHECKS: "maybe" });

    // Assess
    expect(attempt).toThrow(/CERTFLOW_ALLOW_LOOPBACK_CHECKS must be true or false/);
  });
});

describe("CAA identities", () => {
  it("are certflow.internal for the embedded CA, and what the directory lists for ACME", () => {
    const settings = readLocalSettings({ CERTFLOW_DATA_DIR: dataDir() });
    expect(settings.caaIdentity).toBe("certflow.internal");
    expect(
      readLocalSettings({
        CERTFLOW_DATA_DIR: dataDir(),
        CERTFLOW_CA: "acme",
        CERTFLOW_ACME_DIRECTORY_URL: ACME,
      }).acme?.caaIdentities,
    ).toBeUndefined();
  });

  it("are taken from CERTFLOW_CAA_IDENTITY and CERTFLOW_ACME_CAA_IDENTITIES", () => {
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_CAA_IDENTITY: "PKI.Shop.Example",
      CERTFLOW_CA: "acme",
      CERTFLOW_ACME_DIRECTORY_URL: ACME,
      CERTFLOW_ACME_CAA_IDENTITIES: "pebble.letsencrypt.org, ca.example",
    });
    expect(settings.caaIdentity).toBe("pki.shop.example");
    expect(settings.acme?.caaIdentities).toEqual(["pebble.letsencrypt.org", "ca.example"]);
  });

  it.each([
    [{ CERTFLOW_CAA_IDENTITY: "not a name" }, /CERTFLOW_CAA_IDENTITY/],
    [{ CERTFLOW_ACME_CAA_IDENTITIES: "ca.example,,x" }, /CERTFLOW_ACME_CAA_IDENTITIES/],
  ])("refuse %o, naming the setting", (environment, message) => {
    expect(() => readLocalSettings({ CERTFLOW_DATA_DIR: dataDir(), ...environment })).toThrow(
      message,
    );
  });
});

describe("ACME settings", () => {
  it("are read only for CERTFLOW_CA=acme, with the extra roots loaded from their file", () => {
    const directory = dataDir();
    const roots = join(directory, "roots.pem");
    writeFileSync(roots, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const settings = readLocalSettings({
      CERTFLOW_DATA_DIR: directory,
      CERTFLOW_CA: "acme",
      CERTFLOW_ACME_DIRECTORY_URL: ACME,
      CERTFLOW_ACME_EAB_KID: "kid-1",
      CERTFLOW_ACME_EAB_HMAC_KEY:
        "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W",
      CERTFLOW_ACME_CA_CERTS: roots,
    });
    expect(settings.acme).toMatchObject({
      directoryUrl: ACME,
      externalAccountBinding: { kid: "kid-1" },
      trustedCaCertsPath: roots,
    });
    expect(settings.acme?.trustedCaCertsPem).toMatch(/BEGIN CERTIFICATE/);
    expect(settings.delegationZone).toBe("dcv.certflow.internal");
    expect(
      readLocalSettings({ CERTFLOW_DATA_DIR: directory, CERTFLOW_ACME_DIRECTORY_URL: ACME }).acme,
    ).toBeUndefined();
  });

  it("does not echo a malformed EAB HMAC key", () => {
    const attempt = () =>
      readLocalSettings({
        CERTFLOW_DATA_DIR: dataDir(),
        CERTFLOW_CA: "acme",
        CERTFLOW_ACME_DIRECTORY_URL: ACME,
        CERTFLOW_ACME_EAB_KID: "kid-1",
        CERTFLOW_ACME_EAB_HMAC_KEY: "secret with spaces!",
      });
    expect(attempt).toThrow(SettingsError);
    expect(attempt).not.toThrow(/secret with spaces/);
  });
  it("read one binding per tenant from CERTFLOW_ACME_EAB_BY_TENANT, and never echo a bad one", () => {
    // Prepare
    const base = {
      CERTFLOW_DATA_DIR: dataDir(),
      CERTFLOW_CA: "acme",
      CERTFLOW_ACME_DIRECTORY_URL: ACME,
    };
    const byTenant = { acme: { kid: "kid-1", hmacKey: "a2V5LW9uZQ" } };

    // Act
    const settings = readLocalSettings({
      ...base,
      CERTFLOW_ACME_EAB_BY_TENANT: JSON.stringify(byTenant),
    });
    const malformed = () =>
      readLocalSettings({
        ...base,
        CERTFLOW_ACME_EAB_BY_TENANT: '{"acme": {"kid": "kid-1", "hmacKey": "hunter2 hunter2"}}',
      });

    // Assess
    expect(settings.acme?.externalAccountBindingByTenant).toEqual(byTenant);
    expect(settings.acme?.externalAccountBinding).toBeUndefined();
    expect(malformed).toThrow(/CERTFLOW_ACME_EAB_BY_TENANT must be JSON/);
    expect(malformed).not.toThrow(/hunter2/);
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
