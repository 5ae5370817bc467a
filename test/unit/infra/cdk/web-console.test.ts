import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { CachePolicy, OriginRequestPolicy } from "aws-cdk-lib/aws-cloudfront";
import { beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CONFIG_PATH, consoleCsp } from "../../../../functions/api/console-config.ts";
import { buildApp } from "../../../../infra/cdk/app.ts";
import type { CertflowStack } from "../../../../infra/cdk/certflow-stack.ts";
import type { ConsoleStack } from "../../../../infra/cdk/console-stack.ts";
import { STAGE_NAME } from "../../../../infra/cdk/rest-api.ts";
import {
  API_PATH_PATTERN,
  CLOUDFRONT_ERROR_CODES,
  defaultConsoleDomainPrefix,
} from "../../../../infra/cdk/web-console.ts";
import { type CfnResource, projectContext } from "./synthesized-service.ts";

interface Json {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

let outdir: string;
let main: CertflowStack;
let consoleStack: ConsoleStack;
let mainJson: Json;
let json: Json;

beforeAll(() => {
  // A build of its own: the test does not depend on `npm install` having built the console.
  const build = mkdtempSync(join(tmpdir(), "certflow-console-files-"));
  for (const file of ["index.html", "console.js", "console.css"]) {
    writeFileSync(join(build, file), `/* ${file} */`);
  }
  outdir = mkdtempSync(join(tmpdir(), "certflow-cdk-"));
  const app = new App({
    outdir,
    context: { ...projectContext(), "aws:cdk:bundling-stacks": [] },
  });
  // cdk-nag runs as in `cdk synth`: any finding not acknowledged fails synthesis.
  ({ stack: main, consoleStack } = buildApp(app, undefined, build));
  app.synth();
  mainJson = Template.fromStack(main).toJSON() as Json;
  json = Template.fromStack(consoleStack).toJSON() as Json;
}, 180_000);

const ofType = (template: Json, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

function only(template: Json, type: string): [string, CfnResource] {
  const found = ofType(template, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

/** The main stack's logical id an `Fn::ImportValue` of the console stack reads. */
function importedFromMain(value: unknown): string {
  const name = (value as { "Fn::ImportValue": string })["Fn::ImportValue"];
  const output = Object.values(mainJson.Outputs ?? {}).find((out) => out.Export?.Name === name);
  return (output?.Value as { Ref?: string } | undefined)?.Ref ?? `no export named ${name}`;
}

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: string;
  OriginRequestPolicyId?: string;
  ResponseHeadersPolicyId?: unknown;
  ViewerProtocolPolicy: string;
}
interface DistributionConfig {
  DefaultRootObject: string;
  HttpVersion: string;
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  CustomErrorResponses?: { ErrorCode: number; ErrorCachingMinTTL?: number }[];
  Origins: {
    Id: string;
    DomainName: unknown;
    OriginPath?: string;
    OriginAccessControlId?: unknown;
    CustomOriginConfig?: { OriginProtocolPolicy: string };
  }[];
  Logging?: { Bucket: unknown };
}

const distribution = () => {
  const [logicalId, resource] = only(json, "AWS::CloudFront::Distribution");
  return { logicalId, config: resource.Properties.DistributionConfig as DistributionConfig };
};
/** https://<distribution domain>/ as the template writes it. */
const consoleUrl = () => ({
  "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distribution().logicalId, "DomainName"] }, "/"]],
});

describe("the web console on AWS", () => {
  it("is a stack of its own, and each stack stays under CloudFormation's 500 resources", () => {
    const mainCount = Object.keys(mainJson.Resources).length;
    const consoleCount = Object.keys(json.Resources).length;
    expect(mainCount).toBeLessThan(500);
    expect(consoleCount).toBeLessThan(500);
    expect(consoleStack.stackName).toBe(`${main.stackName}Console`);
    expect(ofType(mainJson, "AWS::CloudFront::Distribution")).toHaveLength(0);
    expect(consoleStack.dependencies).toContain(main);
  });

  it("keeps its files in a private bucket that only the distribution reads (origin access control)", () => {
    const [bucketId, bucket] = ofType(json, "AWS::S3::Bucket").find(([id]) =>
      id.startsWith("WebConsoleFiles"),
    ) as [string, CfnResource];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });

    const policy = ofType(json, "AWS::S3::BucketPolicy").find(
      ([, resource]) => (resource.Properties.Bucket as { Ref: string }).Ref === bucketId,
    )?.[1];
    expect(policy).toBeDefined();
    const document = policy?.Properties.PolicyDocument as
      | {
          Statement: { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[];
        }
      | undefined;
    const statements = document?.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === "Allow");
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ Service: "cloudfront.amazonaws.com" });
    expect(allows[0]?.Action).toBe("s3:GetObject");
    expect(allows[0]?.Condition).toEqual({
      StringEquals: {
        "AWS:SourceArn": {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":cloudfront::",
              { Ref: "AWS::AccountId" },
              ":distribution/",
              { Ref: distribution().logicalId },
            ],
          ],
        },
      },
    });
    // enforceSSL: plain-HTTP requests are denied.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );

    const { config } = distribution();
    const [oacId] = only(json, "AWS::CloudFront::OriginAccessControl");
    const s3Origin = config.Origins.find(
      (origin) => origin.Id === config.DefaultCacheBehavior.TargetOriginId,
    );
    expect(s3Origin?.DomainName).toEqual({ "Fn::GetAtt": [bucketId, "RegionalDomainName"] });
    expect(s3Origin?.OriginAccessControlId).toEqual({ "Fn::GetAtt": [oacId, "Id"] });
    expect(config.DefaultRootObject).toBe("index.html");
    expect(config.HttpVersion).toBe("http2and3");
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(config.Logging).toBeDefined();
  });

  it("sends /v1/* to the REST API's stage, uncached, with every viewer header but Host", () => {
    const { config } = distribution();
    const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === API_PATH_PATTERN);
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(api?.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(api?.OriginRequestPolicyId).toBe(
      OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    );
    expect(new Set(api?.AllowedMethods)).toEqual(
      new Set(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]),
    );
    expect(api?.ViewerProtocolPolicy).toBe("https-only");
    // No error answer is kept either: its cache key would not hold the caller's token.
    expect(config.CustomErrorResponses).toEqual(
      CLOUDFRONT_ERROR_CODES.map((ErrorCode) => ({ ErrorCode, ErrorCachingMinTTL: 0 })),
    );

    const origin = config.Origins.find(({ Id }) => Id === api?.TargetOriginId);
    expect(origin?.CustomOriginConfig?.OriginProtocolPolicy).toBe("https-only");
    const [restApiId] = only(mainJson, "AWS::ApiGateway::RestApi");
    const [imported] = (origin?.DomainName as { "Fn::Join": [string, unknown[]] } | undefined)?.[
      "Fn::Join"
    ][1] ?? [undefined];
    expect(origin?.DomainName).toEqual({
      "Fn::Join": [
        "",
        [imported, ".execute-api.", { Ref: "AWS::Region" }, ".", { Ref: "AWS::URLSuffix" }],
      ],
    });
    expect(importedFromMain(imported)).toBe(restApiId);
    // The routes' resources start with /v1 under the stage: /v1/orders at the edge is
    // /<stage>/v1/orders at the API, so the origin path is the stage and nothing more.
    expect(origin?.OriginPath).toBe(`/${STAGE_NAME}`);
    const v1 = ofType(mainJson, "AWS::ApiGateway::Resource").filter(
      ([, resource]) => resource.Properties.PathPart === "v1",
    );
    expect(v1).toHaveLength(1);
    expect(v1[0]?.[1].Properties.ParentId).toEqual({
      "Fn::GetAtt": [restApiId, "RootResourceId"],
    });
    expect(ofType(mainJson, "AWS::ApiGateway::Stage")[0]?.[1].Properties.StageName).toBe(
      STAGE_NAME,
    );
  });

  it("sends the local host's CSP (with the managed login's origin) and security headers", () => {
    const { config } = distribution();
    const [policyId, policy] = only(json, "AWS::CloudFront::ResponseHeadersPolicy");
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const [domainId] = only(json, "AWS::Cognito::UserPoolDomain");
    const security = (
      policy.Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      }
    ).SecurityHeadersConfig;
    const cognitoOrigin = `https://${domainId}.auth.REGION.amazoncognito.com`;
    const csp = security.ContentSecurityPolicy?.ContentSecurityPolicy as {
      "Fn::Join": [string, unknown[]];
    };
    const text = csp["Fn::Join"][1]
      .map((part) =>
        typeof part === "string"
          ? part
          : (part as { Ref: string }).Ref === "AWS::Region"
            ? "REGION"
            : (part as { Ref: string }).Ref,
      )
      .join("");
    expect(text).toBe(consoleCsp([cognitoOrigin]));
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: "DENY", Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: "no-referrer", Override: true });
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000 });
    // Names of CloudFront policies are global to the account: the region is part of them.
    expect((policy.Properties.ResponseHeadersPolicyConfig as { Name: unknown }).Name).toEqual({
      "Fn::Join": ["", ["CertflowConsole-headers-", { Ref: "AWS::Region" }]],
    });
    expect(
      (
        only(json, "AWS::CloudFront::OriginAccessControl")[1].Properties
          .OriginAccessControlConfig as { Name: unknown }
      ).Name,
    ).toEqual({ "Fn::Join": ["", ["CertflowConsole-files-", { Ref: "AWS::Region" }]] });
  });

  it("signs people in with Cognito's managed login through a public client, code flow only", () => {
    const [clientId, client] = only(json, "AWS::Cognito::UserPoolClient");
    const [userPoolId] = only(mainJson, "AWS::Cognito::UserPool");
    expect(importedFromMain(client.Properties.UserPoolId)).toBe(userPoolId);
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ["openid", "email", "profile"],
      SupportedIdentityProviders: ["COGNITO"],
      CallbackURLs: [consoleUrl()],
      LogoutURLs: [consoleUrl()],
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "minutes" },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: "ENABLED",
    });
    expect(client.Properties.ExplicitAuthFlows).not.toContain("ALLOW_USER_PASSWORD_AUTH");
    // Users may change their name through it, as through the API's client, and nothing else.
    expect(client.Properties.WriteAttributes).toEqual(["name"]);

    const [domainId, domain] = only(json, "AWS::Cognito::UserPoolDomain");
    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    expect(domain.Properties.Domain).toEqual({
      "Fn::Join": ["", ["certflow-", { Ref: "AWS::AccountId" }]],
    });
    const [, branding] = only(json, "AWS::Cognito::ManagedLoginBranding");
    expect(branding.Properties).toMatchObject({
      ClientId: { Ref: clientId },
      UseCognitoProvidedValues: true,
    });
    expect((branding as CfnResource & { DependsOn?: string[] }).DependsOn ?? []).toContain(
      domainId,
    );
    // The API client and the authorizer stay. The pool now has a domain: the API client offers
    // no OAuth flow there (CDK's default would be the implicit grant to https://example.com).
    const [, apiClient] = only(mainJson, "AWS::Cognito::UserPoolClient");
    expect(apiClient.Properties.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(apiClient.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(apiClient.Properties.CallbackURLs).toBeUndefined();
    expect(only(mainJson, "AWS::ApiGateway::Authorizer")[1].Properties.Type).toBe(
      "COGNITO_USER_POOLS",
    );
  });

  it("deploys the build with console-config.json naming the managed login, uncached, and invalidates", () => {
    const [, deployment] = only(json, "Custom::CDKBucketDeployment");
    const [domainId] = only(json, "AWS::Cognito::UserPoolDomain");
    const [clientId] = only(json, "AWS::Cognito::UserPoolClient");
    expect(deployment.Properties).toMatchObject({
      DistributionId: { Ref: distribution().logicalId },
      DistributionPaths: ["/*"],
      SystemMetadata: { "cache-control": "no-cache" },
      Prune: true,
    });
    const keys = deployment.Properties.SourceObjectKeys as string[];
    expect(keys).toHaveLength(2);
    const staged = keys.map((key) =>
      readdirSync(join(outdir, `asset.${key.replace(/\.zip$/, "")}`)).sort(),
    );
    expect(staged).toContainEqual(["console.css", "console.js", "index.html"]);
    const configIndex = staged.findIndex((files) => files.includes("console-config.json"));
    expect(`/${staged[configIndex]?.[0]}`).toBe(CONSOLE_CONFIG_PATH);

    // The file holds deploy-time markers; the custom resource replaces them with these values.
    const file = readFileSync(
      join(outdir, `asset.${keys[configIndex]?.replace(/\.zip$/, "")}`, "console-config.json"),
      "utf8",
    );
    const markers =
      (deployment.Properties.SourceMarkers as Record<string, unknown>[])[configIndex] ?? {};
    const resolved = file.replace(/<<marker:0xbaba:\d+>>/g, (marker) => {
      const value = markers[marker] as { Ref: string };
      return value.Ref === "AWS::Region" ? "REGION" : value.Ref;
    });
    const origin = `https://${domainId}.auth.REGION.amazoncognito.com`;
    expect(JSON.parse(resolved)).toEqual({
      signIn: {
        kind: "cognito",
        authorizeUrl: `${origin}/oauth2/authorize`,
        tokenUrl: `${origin}/oauth2/token`,
        logoutUrl: `${origin}/logout`,
        clientId,
        scopes: ["openid", "email", "profile"],
      },
    });
  });

  it("names the console, its sign-in domain and its client in the outputs", () => {
    const outputs = json.Outputs ?? {};
    expect(outputs.ConsoleUrl?.Value).toEqual(consoleUrl());
    expect(JSON.stringify(outputs.ConsoleSignInDomain?.Value)).toContain(".amazoncognito.com");
    expect(outputs.ConsoleClientId?.Value).toEqual({
      Ref: only(json, "AWS::Cognito::UserPoolClient")[0],
    });
  });
});

describe("the console's default Cognito prefix domain", () => {
  it("is the stack's name and the account, as Cognito accepts it", () => {
    expect(defaultConsoleDomainPrefix("Certflow", "111122223333")).toBe("certflow-111122223333");
    expect(defaultConsoleDomainPrefix("My_AWS-Cognito Stack", "111122223333")).toBe(
      "my-stack-111122223333",
    );
    expect(defaultConsoleDomainPrefix("Amazon", "111122223333")).toBe("certflow-111122223333");
    const long = defaultConsoleDomainPrefix("A".repeat(80), "111122223333");
    expect(long).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});
