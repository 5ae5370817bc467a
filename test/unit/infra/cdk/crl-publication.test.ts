import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CfnResource,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

let embedded: SynthesizedService;
let acme: SynthesizedService;
beforeAll(() => {
  embedded = synthesizeService({ "certflow:crlBaseUrl": "http://pki.shop.example" });
  acme = synthesizeService({
    "certflow:ca": "acme",
    "certflow:acmeDirectoryUrl": "https://acme.ca.example/directory",
  });
}, 120_000);

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function functionNamed(service: SynthesizedService, kindAndName: string) {
  return resourcesOfType(service, "AWS::Lambda::Function").filter(([, fn]) =>
    String(fn.Properties.Description).startsWith(`certflow ${kindAndName}:`),
  );
}

function statementsOf(service: SynthesizedService, fn: CfnResource) {
  const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return resourcesOfType(service, "AWS::IAM::Policy")
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
    .flatMap(([, policy]) => (policy.Properties as any).PolicyDocument.Statement as any[]);
}

/** The vault folders a statement's resources name, e.g. ["/public/*"]. */
const folders = (statements: readonly any[], action: string) =>
  statements
    .filter((statement) => asList(statement.Action).includes(action))
    .flatMap((statement) => asList(statement.Resource))
    .map((resource) => JSON.stringify(resource).replace(/^.*"(\/[^"]*)"\]\]\}$/, "$1"))
    .sort();

describe("the embedded CA's CRL on AWS", () => {
  it("is refreshed daily by its own function on an enabled schedule, without the renewal switch", () => {
    const functions = functionNamed(embedded, "schedule RefreshCrl");
    expect(functions).toHaveLength(1);
    const [[functionId, fn]] = functions as [[string, CfnResource]];
    embedded.template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 2 * * ? *)",
      State: "ENABLED",
      Target: Match.objectLike({
        Arn: { "Fn::GetAtt": [functionId, "Arn"] },
        Input: Match.stringLikeRegexp('"source":"RefreshCrl"'),
      }),
    });
    const statements = statementsOf(embedded, fn);
    const actions = statements.flatMap((statement) => asList(statement.Action));
    expect(folders(statements, "s3:PutObject")).toEqual(["/ca/*", "/public/*"]);
    expect(actions.some((action: string) => action.startsWith("dynamodb:"))).toBe(false);
    expect(actions.some((action: string) => action.startsWith("states:"))).toBe(false);
  });

  it("is served by GetCaCrl without a token, reading public/* only, as bytes when asked for", () => {
    const [[, fn]] = functionNamed(embedded, "route GetCaCrl") as [[string, CfnResource]];
    const statements = statementsOf(embedded, fn);
    expect(folders(statements, "s3:GetObject")).toEqual(["/public/*"]);
    expect(folders(statements, "s3:PutObject")).toEqual([]);
    expect(
      statements
        .flatMap((statement) => asList(statement.Action))
        .filter((action: string) => action.startsWith("secretsmanager:")),
    ).toEqual([]);
    embedded.template.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: "GET",
      OperationName: "GetCaCrl",
      AuthorizationType: "NONE",
    });
    const [[, api]] = resourcesOfType(embedded, "AWS::ApiGateway::RestApi") as [
      [string, CfnResource],
    ];
    expect(api.Properties.BinaryMediaTypes).toContain("application/pkix-crl");
  });

  it("tells the functions that talk to the CA where the CRL is served and how long it is valid", () => {
    const caFunctions = resourcesOfType(embedded, "AWS::Lambda::Function")
      .map(([, fn]) => (fn.Properties as any).Environment?.Variables ?? {})
      .filter((variables) => "CERTFLOW_CAA_IDENTITY" in variables);
    expect(caFunctions.length).toBeGreaterThan(0);
    for (const variables of caFunctions) {
      expect(variables).toMatchObject({
        CERTFLOW_CRL_BASE_URL: "http://pki.shop.example",
        CERTFLOW_CRL_VALIDITY_SECONDS: String(7 * 86_400),
      });
    }
  });

  it("is not built for an ACME CA, which publishes its own", () => {
    expect(functionNamed(acme, "schedule RefreshCrl")).toEqual([]);
    const descriptions = resourcesOfType(acme, "AWS::Scheduler::Schedule").map(([, schedule]) =>
      String(schedule.Properties.Description),
    );
    expect(descriptions.filter((description) => description.includes("CRL"))).toEqual([]);
  });
});
