import { describe, expect, it } from "vitest";
import { ResourceNotProvided } from "../../../functions/composition/composition.ts";
import { MissingSetting } from "../../../functions/lambda/aws-environment.ts";
import { composeAws } from "../../../functions/lambda/aws-host.ts";
import { acme } from "../../../functions/lambda/providers/acme-ca.ts";
import {
  acmeDirectory,
  embeddedDirectory,
} from "../../../functions/lambda/providers/ca-directory.ts";
import { dcv } from "../../../functions/lambda/providers/dcv.ts";
import { embedded } from "../../../functions/lambda/providers/embedded-ca.ts";
import { store } from "../../../functions/lambda/providers/order-store.ts";
import { vault } from "../../../functions/lambda/providers/vault.ts";

const environment = {
  CERTFLOW_PUBLIC_API_URL: "https://api.example/prod/",
  CERTFLOW_TABLE_NAME: "orders",
  CERTFLOW_BUCKET_NAME: "vault",
  CERTFLOW_KMS_KEY_ID: "arn:aws:kms:eu-west-1:111122223333:key/k",
  CERTFLOW_MASTER_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:m-AbCdEf",
  AWS_REGION: "eu-west-1",
};

const acmeEnvironment = {
  ...environment,
  CERTFLOW_CA: "acme",
  CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
  CERTFLOW_ACME_CONTACT_EMAIL: "pki@shop.example",
};

describe("the AWS host", () => {
  it("gives a handler the resources its needs name, and nothing else", () => {
    const composition = composeAws({ store }, environment);

    const deps = composition.dependenciesFor({ table: "read" });

    expect(typeof deps.store.get).toBe("function");
    expect(Object.keys(deps).sort()).toEqual(
      [
        "caProfile",
        "clock",
        "logError",
        "newOrderId",
        "random",
        "serviceInfo",
        "settings",
        "store",
      ].sort(),
    );
    expect(deps.settings.publicApiUrl).toBe("https://api.example/prod");
    expect(deps.serviceInfo.region).toBe("eu-west-1");
  });

  it("tells every handler the CA's kind and audience without building the CA", () => {
    const embeddedHost = composeAws({}, environment).dependenciesFor({});
    const acmeHost = composeAws({}, acmeEnvironment).dependenciesFor({});

    expect(embeddedHost.caProfile).toEqual({ kind: "embedded", audience: "private" });
    expect(acmeHost.caProfile).toEqual({ kind: "acme", audience: "public" });
  });

  it("builds the CA the deployment chose, on the vault and the checks", () => {
    const providers = { vault, dcv, ca: { embedded, acme } };

    const embeddedCa = composeAws(providers, environment).dependenciesFor({ ca: true }).ca;
    const acmeCa = composeAws(providers, acmeEnvironment).dependenciesFor({ ca: true }).ca;

    expect(embeddedCa).toMatchObject({ kind: "embedded", audience: "private" });
    expect(acmeCa).toMatchObject({ kind: "acme", audience: "public" });
  });

  it("reads the directory of the CA the deployment chose, from its URL alone", async () => {
    const providers = { caDirectory: { embedded: embeddedDirectory, acme: acmeDirectory } };

    const embeddedDirectoryDeps = composeAws(providers, environment).dependenciesFor({
      caDirectory: true,
    });
    const acmeDirectoryDeps = composeAws(providers, {
      ...environment,
      CERTFLOW_CA: "acme",
      CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
    }).dependenciesFor({ caDirectory: true });

    expect(await embeddedDirectoryDeps.caDirectory.profiles()).toEqual({});
    expect(acmeDirectoryDeps.caDirectory.constructor.name).toBe("AcmeCaDirectory");
    expect(() =>
      composeAws(providers, { ...environment, CERTFLOW_CA: "acme" }).dependenciesFor({
        caDirectory: true,
      }),
    ).toThrow(/CERTFLOW_ACME_DIRECTORY_URL/);
  });

  it("refuses a resource its entry does not provide, naming it", () => {
    const composition = composeAws({ store, vault, dcv, ca: { embedded } }, acmeEnvironment);

    expect(() => composition.dependenciesFor({ ca: true })).toThrow(ResourceNotProvided);
    expect(() => composition.dependenciesFor({ ca: true })).toThrow(/no acme CA/);
    expect(() => composition.dependenciesFor({ mail: true })).toThrow(/no mailer/);
  });

  it("refuses to start without the settings the stack always sets", () => {
    const { CERTFLOW_TABLE_NAME: _table, ...withoutTable } = environment;
    const { CERTFLOW_ACME_DIRECTORY_URL: _directory, ...withoutDirectory } = acmeEnvironment;

    expect(() => composeAws({}, {})).toThrow(MissingSetting);
    expect(() => composeAws({ store }, withoutTable).dependenciesFor({ table: "read" })).toThrow(
      /CERTFLOW_TABLE_NAME/,
    );
    expect(() =>
      composeAws({}, { ...environment, CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "a day" }),
    ).toThrow(/positive whole number/);
    expect(() => composeAws({}, { ...environment, CERTFLOW_CHECK_EARLY_SECONDS: "30" })).toThrow(
      /CERTFLOW_CHECK_EARLY_SECONDS must be at least 60 seconds on AWS/,
    );
    expect(
      composeAws({}, { ...environment, CERTFLOW_CHECK_EARLY_SECONDS: "60" }).dependenciesFor({})
        .settings.checkCadence,
    ).toEqual({ earlySeconds: 60, earlyPeriodSeconds: 3600, lateSeconds: 7200 });
    expect(() =>
      composeAws({ vault, dcv, ca: { acme } }, withoutDirectory).dependenciesFor({ ca: true }),
    ).toThrow(/CERTFLOW_ACME_DIRECTORY_URL is not set/);
  });
});
