import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { route53DelegationZone } from "../../../../functions/lambda/providers/acme-ca.ts";
import { mailDelivery } from "../../../../functions/lambda/providers/mail-delivery.ts";
import {
  lazySecretsManagerClient,
  readSecretString,
} from "../../../../functions/lambda/providers/secrets-manager.ts";

const secretsManager = mockClient(SecretsManagerClient);
const route53 = mockClient(Route53Client);
const ses = mockClient(SESv2Client);
afterEach(() => {
  secretsManager.reset();
  route53.reset();
  ses.reset();
});

describe("SDK clients built on first use", () => {
  it("read a secret through Secrets Manager's client, built with the first read", async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: "s".repeat(40) });
    const client = lazySecretsManagerClient();
    expect(secretsManager.calls()).toHaveLength(0);

    await expect(readSecretString(client, "arn:secret")).resolves.toBe("s".repeat(40));
    await readSecretString(client, "arn:secret");

    expect(
      secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input),
    ).toEqual([{ SecretId: "arn:secret" }, { SecretId: "arn:secret" }]);
  });

  it("change the delegation zone through Route 53's adapter, loaded with the first change", async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [],
      IsTruncated: false,
      MaxItems: 1,
    });
    route53.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: "/change/C0001", Status: "PENDING", SubmittedAt: new Date() },
    });
    const zone = route53DelegationZone("Z0DELEGATION");

    await expect(zone.addTxt("x.dcv.certflow.example", ["digest"])).resolves.toEqual({
      id: "/change/C0001",
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toMatchObject({
      HostedZoneId: "Z0DELEGATION",
    });
  });

  it("send mail through SES's client, built with the first message", async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: "m-1" });
    const mail = mailDelivery({
      CERTFLOW_SENDER: "certificates@example.com",
      CERTFLOW_MAIL_CONFIGURATION_SET: "certflow",
    });
    expect(ses.calls()).toHaveLength(0);

    await mail.send({ to: ["pki@shop.example"], subject: "Issued", text: "Your certificate" });
    await mail.send({ to: ["pki@shop.example"], subject: "Again", text: "And again" });

    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toMatchObject([
      {
        FromEmailAddress: "certificates@example.com",
        Destination: { ToAddresses: ["pki@shop.example"] },
        ConfigurationSetName: "certflow",
        Content: { Simple: { Subject: { Data: "Issued" } } },
      },
      { Content: { Simple: { Subject: { Data: "Again" } } } },
    ]);
  });

  it("refuse a mailer without a sender when the function starts, not at its first message", () => {
    expect(() => mailDelivery({})).toThrow(/CERTFLOW_SENDER/);
  });
});
