import { describe, expect, it } from "vitest";
import { readDeploymentSettings } from "../../../../infra/cdk/deployment-settings.ts";
import { projectContext } from "./synthesized-service.ts";

const fromContext = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
  readDeploymentSettings((key) => context[key], env);

describe("deployment settings", () => {
  it("reads cdk.json's context with the embedded CA and no optional parts", () => {
    const settings = fromContext(projectContext());
    expect(settings).toMatchObject({
      stackName: "Certflow",
      ca: "embedded",
      senderAddress: "certificates@example.com",
      renewalSchedule: true,
      validationTimeoutSeconds: 86_400,
    });
    expect(settings.acmeEabSecretArn).toBeUndefined();
    expect(settings.delegationZone).toBeUndefined();
    expect(settings.stuckAfterSeconds.PENDING_VALIDATION).toBe(86_400 + 3_600 + 3_600);
  });

  it("keeps mail under SES's production rate of 14 a second unless sesMaxSendRate raises it", () => {
    expect(fromContext(projectContext()).sesMaxSendRate).toBe(14);
    expect(
      fromContext(
        { ...projectContext(), "certflow:sesMaxSendRate": "" },
        {
          CERTFLOW_SES_MAX_SEND_RATE: "50",
        },
      ).sesMaxSendRate,
    ).toBe(50);
    expect(() => fromContext({ ...projectContext(), "certflow:sesMaxSendRate": "0" })).toThrow(
      /certflow:sesMaxSendRate/,
    );
  });

  it("falls back to environment variables where the context is empty", () => {
    const settings = fromContext(
      { "certflow:senderAddress": "" },
      { CERTFLOW_SENDER_ADDRESS: "pki@shop.example", CERTFLOW_ALARM_EMAIL: "ops@shop.example" },
    );
    expect(settings.senderAddress).toBe("pki@shop.example");
    expect(settings.alarmEmail).toBe("ops@shop.example");
  });

  it("gives customers 3 days after a renewal to install it, unless installationGraceSeconds says otherwise", () => {
    expect(fromContext(projectContext()).installationGraceSeconds).toBe(259_200);
    const settings = fromContext(
      { ...projectContext(), "certflow:installationGraceSeconds": "" },
      { CERTFLOW_INSTALLATION_GRACE_SECONDS: "86400" },
    );
    expect(settings.installationGraceSeconds).toBe(86_400);
    expect(() =>
      fromContext({ ...projectContext(), "certflow:installationGraceSeconds": "0" }),
    ).toThrow("certflow:installationGraceSeconds must be a whole number ≥ 1, got 0.");
  });

  it("takes the ACME settings and the delegation zone", () => {
    const settings = fromContext({
      "certflow:senderAddress": "pki@shop.example",
      "certflow:ca": "acme",
      "certflow:acmeDirectoryUrl": "https://acme.ca.example/directory",
      "certflow:acmeEabSecretArn":
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:certflow/eab-AbCdEf",
      "certflow:delegationZoneName": "dcv.shop.example.",
      "certflow:delegationHostedZoneId": "Z0123456789ABC",
    });
    expect(settings.ca).toBe("acme");
    expect(settings.delegationZone).toEqual({
      zoneName: "dcv.shop.example",
      hostedZoneId: "Z0123456789ABC",
    });
  });

  it("takes the CAA identities of the embedded CA and of an ACME CA", () => {
    expect(fromContext(projectContext()).caaIdentity).toBe("certflow.internal");
    expect(fromContext(projectContext()).acmeCaaIdentities).toBeUndefined();
    const settings = fromContext({
      "certflow:senderAddress": "pki@shop.example",
      "certflow:caaIdentity": "pki.shop.example",
      "certflow:acmeCaaIdentities": "pebble.letsencrypt.org, ca.example",
    });
    expect(settings.caaIdentity).toBe("pki.shop.example");
    expect(settings.acmeCaaIdentities).toEqual(["pebble.letsencrypt.org", "ca.example"]);
    expect(() =>
      fromContext({ "certflow:senderAddress": "pki@shop.example", "certflow:caaIdentity": "-x" }),
    ).toThrow(/certflow:caaIdentity/);
  });

  it("takes where the embedded CA's CRL is served and how long each is valid", () => {
    const base = { "certflow:senderAddress": "pki@shop.example" };
    const defaults = fromContext(projectContext());
    expect(defaults.crlBaseUrl).toBeUndefined();
    expect(defaults.crlValiditySeconds).toBe(7 * 86_400);
    expect(
      fromContext(
        { ...base, "certflow:crlValiditySeconds": "259200" },
        { CERTFLOW_CRL_BASE_URL: "http://pki.shop.example/" },
      ),
    ).toMatchObject({ crlBaseUrl: "http://pki.shop.example", crlValiditySeconds: 259_200 });
    expect(() => fromContext({ ...base, "certflow:crlBaseUrl": "pki.shop.example" })).toThrow(
      /certflow:crlBaseUrl must be an http or https URL/,
    );
    // Re-signed daily: a list valid for less than two days would lapse after one missed run.
    expect(() => fromContext({ ...base, "certflow:crlValiditySeconds": "86400" })).toThrow(
      /certflow:crlValiditySeconds must be a whole number ≥ 172800/,
    );
  });

  it("takes the web console's Cognito prefix domain, refusing one Cognito would refuse", () => {
    const base = { "certflow:senderAddress": "pki@shop.example" };
    expect(fromContext(projectContext()).consoleDomainPrefix).toBeUndefined();
    expect(
      fromContext(base, { CERTFLOW_CONSOLE_DOMAIN_PREFIX: "shop-certificates" })
        .consoleDomainPrefix,
    ).toBe("shop-certificates");
    for (const refused of ["Shop", "shop_pki", "-shop", "shop-", "my-aws-pki", "x".repeat(64)]) {
      expect(() => fromContext({ ...base, "certflow:consoleDomainPrefix": refused })).toThrow(
        /certflow:consoleDomainPrefix must be lowercase letters, digits and hyphens/,
      );
    }
  });

  it("refuses settings that cannot work, naming the key", () => {
    const base = { "certflow:senderAddress": "pki@shop.example" };
    expect(() => fromContext({})).toThrow(/certflow:senderAddress/);
    expect(() => fromContext({ ...base, "certflow:ca": "acme" })).toThrow(
      /certflow:acmeDirectoryUrl/,
    );
    expect(() => fromContext({ ...base, "certflow:ca": "letsencrypt" })).toThrow(/embedded, acme/);
    expect(() =>
      fromContext({ ...base, "certflow:acmeEabSecretArn": "arn:aws:s3:::bucket" }),
    ).toThrow(/secretsmanager ARN/);
    expect(() => fromContext({ ...base, "certflow:delegationZoneName": "dcv.example" })).toThrow(
      /go together/,
    );
    expect(() => fromContext({ ...base, "certflow:validationTimeoutSeconds": "soon" })).toThrow(
      /whole number/,
    );
  });
});
