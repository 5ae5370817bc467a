import { readFileSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ORDER_TABLE } from "../../../../functions/adapters/aws/order-table-design.ts";
import { isRawBody } from "../../../../functions/api/route-declaration.ts";
import { type Needs, resourcesBuiltFor } from "../../../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { isScheduledIn } from "../../../../functions/schedules/schedule-declaration.ts";
import { readDeploymentSettings } from "../../../../infra/cdk/deployment-settings.ts";
import { DOCUMENT_RETENTION_DAYS } from "../../../../infra/cdk/storage.ts";
import { ORDER_DEFINITION_PATH } from "../../../../statemachines/order-definition.ts";
import {
  type CfnResource,
  projectContext,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

const catalog = await loadServiceCatalog();
const ROUTES = catalog.routes.map(({ declaration }) => declaration);
const STEP_NAMES = catalog.steps.map(({ declaration }) => declaration.state);
const NEEDS = new Map<string, Needs>([
  ...catalog.steps.map(({ declaration }) => [declaration.state, declaration.needs] as const),
  ...ROUTES.map((route) => [route.name, route.needs] as const),
  ...catalog.deployTasks.map(({ declaration }) => [declaration.name, declaration.needs] as const),
  ...catalog.schedules.map(({ declaration }) => [declaration.name, declaration.needs] as const),
  ...catalog.consumers.map(({ declaration }) => [declaration.name, declaration.needs] as const),
]);
const CONSUMER_NAMES = catalog.consumers.map(({ declaration }) => declaration.name);
const built = (name: string) => new Set(resourcesBuiltFor(NEEDS.get(name) ?? {}));
/** Whether a function names the state machine or its executions (answering tokens needs neither). */
const namesStateMachine = (name: string) =>
  (NEEDS.get(name)?.workflow ?? []).some((action) => !action.startsWith("states:SendTask"));

let service: SynthesizedService;
beforeAll(() => {
  service = synthesizeService();
}, 60_000);

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every Lambda function of the stack, by the step, route or run it serves (its description). */
function functionsByName(): Map<string, { logicalId: string; resource: CfnResource }> {
  const functions = new Map<string, { logicalId: string; resource: CfnResource }>();
  for (const [logicalId, resource] of resourcesOfType(service, "AWS::Lambda::Function")) {
    const description = String(resource.Properties.Description ?? "");
    const name = /^certflow (?:step|route|schedule|consumer) (\w+):/.exec(description)?.[1];
    if (name !== undefined) functions.set(name, { logicalId, resource });
  }
  return functions;
}

/** The role logical id of a function (its Role property is a GetAtt of the role). */
function roleOf(resource: CfnResource): string {
  const role = resource.Properties.Role as { "Fn::GetAtt": [string, string] };
  return role["Fn::GetAtt"][0];
}

/** All statements attached to a role, through any AWS::IAM::Policy naming it. */
function statementsOfRole(roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of resourcesOfType(service, "AWS::IAM::Policy")) {
    const roles = (policy.Properties.Roles ?? []) as { Ref: string }[];
    if (!roles.some((role) => role.Ref === roleLogicalId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    statements.push(...document.Statement);
  }
  return statements;
}

function actionsOfRole(roleLogicalId: string): string[] {
  return [
    ...new Set(statementsOfRole(roleLogicalId).flatMap((statement) => asList(statement.Action))),
  ].sort();
}

describe("the state machine", () => {
  it("is statemachines/order.asl.json with every placeholder replaced by its step's function", () => {
    const [[, machine]] = resourcesOfType(service, "AWS::StepFunctions::StateMachine") as [
      [string, CfnResource],
    ];
    const properties = machine.Properties as {
      DefinitionString: string;
      DefinitionSubstitutions: Record<string, { "Fn::GetAtt": [string, string] }>;
    };
    const nameOfLogicalId = new Map(
      [...functionsByName()].map(([name, fn]) => [fn.logicalId, name] as const),
    );
    const deployed = properties.DefinitionString.replace(/\$\{(\w+)\}/g, (_match, key: string) => {
      const target = properties.DefinitionSubstitutions[key]?.["Fn::GetAtt"];
      expect(target?.[1], `substitution ${key}`).toBe("Arn");
      return `function:${nameOfLogicalId.get(target?.[0] ?? "") ?? "unknown"}`;
    });
    expect(deployed).not.toMatch(/\$\{/);

    const source = readFileSync(ORDER_DEFINITION_PATH, "utf8");
    const expected = source.replace(/\$\{(\w+)FunctionArn\}/g, "function:$1");
    expect(JSON.parse(deployed)).toEqual(JSON.parse(expected));
    expect(Object.keys(properties.DefinitionSubstitutions).sort()).toEqual(
      STEP_NAMES.map((name) => `${name}FunctionArn`).sort(),
    );
  });

  it("is a standard workflow that logs every state change (without data) and is traced", () => {
    service.template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
    });
  });

  it("may invoke exactly the step functions", () => {
    const [[, machine]] = resourcesOfType(service, "AWS::StepFunctions::StateMachine") as [
      [string, CfnResource],
    ];
    const role = (machine.Properties.RoleArn as { "Fn::GetAtt": [string, string] })[
      "Fn::GetAtt"
    ][0];
    const invoke = statementsOfRole(role).filter((statement) =>
      asList(statement.Action).includes("lambda:InvokeFunction"),
    );
    const invoked = invoke.flatMap((statement) => asList(statement.Resource as object));
    const steps = [...functionsByName()].filter(([name]) => STEP_NAMES.includes(name));
    expect(invoked).toEqual(
      expect.arrayContaining(steps.map(([, fn]) => ({ "Fn::GetAtt": [fn.logicalId, "Arn"] }))),
    );
    expect(invoked).toHaveLength(steps.length);
  });
});

describe("the functions", () => {
  it("are one per step, route and consumer, and one per scheduled run the deployment runs", () => {
    const settings = readDeploymentSettings((key) => projectContext()[key]);
    const scheduled = catalog.schedules
      .map(({ declaration }) => declaration)
      .filter((declaration) => isScheduledIn(declaration, settings))
      .map((declaration) => declaration.name);
    expect(scheduled).toContain("RefreshCrl");
    expect([...functionsByName().keys()].sort()).toEqual(
      [...STEP_NAMES, ...ROUTES.map((route) => route.name), ...scheduled, ...CONSUMER_NAMES].sort(),
    );
  });

  it("all run nodejs24.x on arm64 with active tracing, a log group of their own and Powertools settings", () => {
    const logGroups = new Set<string>();
    for (const [name, { resource }] of functionsByName()) {
      const properties = resource.Properties as Record<string, any>;
      expect(properties.Runtime, name).toBe("nodejs24.x");
      expect(properties.Architectures, name).toEqual(["arm64"]);
      expect(properties.TracingConfig, name).toEqual({ Mode: "Active" });
      const logGroup = properties.LoggingConfig?.LogGroup?.Ref;
      expect(logGroup, name).toBeTypeOf("string");
      logGroups.add(logGroup);
      expect(properties.Environment.Variables, name).toMatchObject({
        POWERTOOLS_SERVICE_NAME: "certflow",
        POWERTOOLS_METRICS_NAMESPACE: "certflow",
        POWERTOOLS_LOGGER_LOG_EVENT: "false",
      });
      expect(properties.Handler, name).toBe("index.handler");
    }
    expect(logGroups.size).toBe(functionsByName().size);
    for (const [, logGroup] of resourcesOfType(service, "AWS::Logs::LogGroup")) {
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it("are told where the resources their declared needs name are, and nothing more", () => {
    for (const [name, { resource }] of functionsByName()) {
      const variables = (resource.Properties as any).Environment.Variables as Record<
        string,
        string
      >;
      const resources = built(name);
      expect("CERTFLOW_TABLE_NAME" in variables, `${name} table`).toBe(resources.has("store"));
      expect("CERTFLOW_MASTER_SECRET_ARN" in variables, `${name} vault`).toBe(
        resources.has("vault"),
      );
      expect("CERTFLOW_MAIL_QUEUE_URL" in variables, `${name} mail`).toBe(resources.has("mailer"));
      expect("CERTFLOW_SENDER" in variables, `${name} SES`).toBe(resources.has("mailDelivery"));
      expect("CERTFLOW_STATE_MACHINE_ARN" in variables, `${name} workflow`).toBe(
        namesStateMachine(name),
      );
      expect(variables.CERTFLOW_PUBLIC_API_URL, name).toBeDefined();
      expect(
        Object.keys(variables).some((key) => key.startsWith("CERTFLOW_USES_")),
        name,
      ).toBe(false);
    }
  });
});

describe("deploy tasks", () => {
  it("run PrepareCa once per deploy through a trigger, granted the CA and nothing of the orders", () => {
    // Prepare
    const functions = resourcesOfType(service, "AWS::Lambda::Function").filter(([, fn]) =>
      String(fn.Properties.Description).startsWith("certflow deployTask PrepareCa:"),
    );
    const [[functionId, fn]] = functions as [[string, CfnResource]];

    // Act
    const triggers = resourcesOfType(service, "Custom::Trigger");
    const actions = statementsOfRole(roleOf(fn)).flatMap((statement) => asList(statement.Action));

    // Assess
    expect(functions).toHaveLength(1);
    expect(triggers).toHaveLength(1);
    // The trigger invokes the function's current version (its logical id plus a hash).
    expect(JSON.stringify(triggers[0]?.[1].Properties)).toContain(
      `"Ref":"${functionId.replace(/[0-9A-F]{8}$/, "")}CurrentVersion`,
    );
    expect(actions).toEqual(
      expect.arrayContaining(["s3:PutObject", "secretsmanager:GetSecretValue"]),
    );
    expect(actions.some((action) => action.startsWith("dynamodb:"))).toBe(false);
    expect(actions.some((action) => action.startsWith("states:"))).toBe(false);
  });
});

describe("rate limits and reserved concurrency", () => {
  it("tell every function the submission and check limits; reserve no concurrency by default", () => {
    for (const [name, { resource }] of functionsByName()) {
      const properties = resource.Properties as Record<string, any>;
      expect(properties.Environment.Variables, name).toMatchObject({
        CERTFLOW_SUBMISSIONS_PER_MINUTE: "600",
        CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "5",
      });
      expect(properties.ReservedConcurrentExecutions, name).toBeUndefined();
    }
  });

  it("reserve the configured concurrency for each workflow function, and none for routes", () => {
    // Prepare
    const reserved = synthesizeService({ "certflow:workflowReservedConcurrency": "5" });

    // Act
    const byDescription = resourcesOfType(reserved, "AWS::Lambda::Function").map(([, fn]) => [
      String(fn.Properties.Description),
      fn.Properties.ReservedConcurrentExecutions,
    ]);

    // Assess
    const steps = byDescription.filter(([description]) =>
      String(description).startsWith("certflow step "),
    );
    const routes = byDescription.filter(([description]) =>
      String(description).startsWith("certflow route "),
    );
    expect(steps.length).toBe(STEP_NAMES.length);
    for (const [description, concurrency] of steps)
      expect(concurrency, String(description)).toBe(5);
    for (const [description, concurrency] of routes) {
      expect(concurrency, String(description)).toBeUndefined();
    }
  }, 60_000);
});

describe("storage", () => {
  it("keeps orders in an on-demand table with point-in-time recovery, deletion protection, TTL and both indexes", () => {
    service.template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: ORDER_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: ORDER_TABLE.sortKey, KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: ORDER_TABLE.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: ORDER_TABLE.byTenantIndex,
          KeySchema: [
            { AttributeName: ORDER_TABLE.byTenantKeys.partitionKey, KeyType: "HASH" },
            { AttributeName: ORDER_TABLE.byTenantKeys.sortKey, KeyType: "RANGE" },
          ],
        }),
        Match.objectLike({
          IndexName: ORDER_TABLE.byRenewalIndex,
          KeySchema: [
            { AttributeName: ORDER_TABLE.byRenewalKeys.partitionKey, KeyType: "HASH" },
            { AttributeName: ORDER_TABLE.byRenewalKeys.sortKey, KeyType: "RANGE" },
          ],
        }),
        Match.objectLike({
          IndexName: ORDER_TABLE.byReviewIndex,
          KeySchema: [
            { AttributeName: ORDER_TABLE.byReviewKeys.partitionKey, KeyType: "HASH" },
            { AttributeName: ORDER_TABLE.byReviewKeys.sortKey, KeyType: "RANGE" },
          ],
        }),
      ],
      Replicas: [
        Match.objectLike({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it("keeps the vault in a private, versioned bucket under the rotating customer key, TLS only", () => {
    const [[keyId]] = resourcesOfType(service, "AWS::KMS::Key") as [[string, CfnResource]];
    service.template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
    service.template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": [keyId, "Arn"] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: "documents/",
            ExpirationInDays: DOCUMENT_RETENTION_DAYS,
            Status: "Enabled",
          }),
        ]),
      },
    });
    service.template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });
});

/**
 * The only statements allowed a Resource of "*": AWS accepts no other resource for these
 * actions. X-Ray (Lambda active tracing and Step Functions tracing), task tokens (the token
 * names the execution), and the CloudWatch Logs delivery Step Functions sets up for its logs.
 */
const ACTIONS_THAT_ONLY_TAKE_STAR = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "states:SendTaskSuccess",
  "states:SendTaskFailure",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
]);

describe("permissions", () => {
  const allStatements = () =>
    resourcesOfType(service, "AWS::IAM::Policy").flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map(
        (statement) => ({ id, statement }),
      ),
    );

  it("never allow every action", () => {
    for (const { id, statement } of allStatements()) {
      for (const action of asList(statement.Action)) {
        expect(action, id).not.toBe("*");
        expect(action, id).not.toMatch(/^[a-z0-9-]+:\*$/);
      }
    }
  });

  it("use Resource * only for actions that accept nothing else", () => {
    const starred = allStatements().filter(({ statement }) =>
      asList(statement.Resource).includes("*"),
    );
    expect(starred.length).toBeGreaterThan(0);
    for (const { id, statement } of starred) {
      for (const action of asList(statement.Action)) {
        expect(ACTIONS_THAT_ONLY_TAKE_STAR.has(action), `${id}: ${action} on *`).toBe(true);
      }
    }
  });

  it("give each function exactly the table, vault, mail and workflow actions it uses", () => {
    const functions = functionsByName();
    const actionsOf = (name: string) => {
      const fn = functions.get(name);
      if (fn === undefined) throw new Error(`no function ${name}`);
      return actionsOfRole(roleOf(fn.resource)).filter(
        (action) => !action.startsWith("xray:") && !action.startsWith("logs:"),
      );
    };
    expect(actionsOf("GetOrder")).toEqual(["dynamodb:GetItem", "dynamodb:Query"]);
    expect(actionsOf("GetServiceInfo")).toEqual([]);
    expect(actionsOf("GetApproverEmails")).toEqual([]);
    expect(actionsOf("RecordOrder")).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    expect(actionsOf("SendIssuedMail")).toContain("sqs:SendMessage");
    expect(actionsOf("SendIssuedMail")).not.toContain("ses:SendEmail");
    expect(actionsOf("RecordOrder")).not.toContain("sqs:SendMessage");
    expect(actionsOf("SendMails")).toEqual([
      "ses:SendEmail",
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ReceiveMessage",
    ]);
    expect(actionsOf("SubmitOrder")).toEqual(
      expect.arrayContaining(["states:StartExecution", "s3:PutObject", "kms:GenerateDataKey"]),
    );
    expect(actionsOf("SubmitOrder")).not.toContain("secretsmanager:GetSecretValue");
    expect(actionsOf("RunChecks")).toContain("states:SendTaskSuccess");
    expect(actionsOf("CancelOrder")).toContain("states:StopExecution");
    expect(actionsOf("GetExecution")).toEqual([
      "states:DescribeExecution",
      "states:GetExecutionHistory",
    ]);
    expect(actionsOf("PrepareKeyAndCsr")).toContain("secretsmanager:GetSecretValue");
    expect(actionsOf("WaitForCustomerToPublish")).toEqual(
      expect.arrayContaining(["states:SendTaskSuccess", "states:SendTaskFailure"]),
    );
    expect(actionsOf("WaitForCustomerToPublish")).not.toContain("s3:GetObject");
    for (const [name, fn] of functions) {
      const actions = actionsOfRole(roleOf(fn.resource));
      const resources = built(name);
      expect(
        actions.some((action) => action.startsWith("dynamodb:")),
        name,
      ).toBe(resources.has("store"));
      expect(
        actions.some((action) => action.startsWith("s3:")),
        name,
      ).toBe(resources.has("vault"));
      expect(actions.includes("ses:SendEmail"), name).toBe(resources.has("mailDelivery"));
      expect(actions.includes("sqs:SendMessage"), name).toBe(
        resources.has("mailer") || resources.has("deliveryQueue"),
      );
      expect(
        actions.some((action) => action.startsWith("states:")),
        name,
      ).toBe(resources.has("workflow"));
    }
  });

  it("let vault readers list the bucket (404 for absent keys) and scope objects to their folders", () => {
    const fn = functionsByName().get("DownloadCertificate");
    if (fn === undefined) throw new Error("no DownloadCertificate");
    const statements = statementsOfRole(roleOf(fn.resource));
    const getObject = statements.find((statement) =>
      asList(statement.Action).includes("s3:GetObject"),
    );
    const resources = JSON.stringify(getObject?.Resource);
    expect(resources).toContain("/certificates/*");
    expect(resources).toContain("/private-keys/*");
    expect(resources).not.toContain("/csrs/*");
    expect(statements.some((statement) => asList(statement.Action).includes("s3:ListBucket"))).toBe(
      true,
    );
  });
});

describe("the public root route and the CA", () => {
  const objectsBy = (name: string, action: string) => {
    const fn = functionsByName().get(name);
    if (fn === undefined) throw new Error(`no function ${name}`);
    return statementsOfRole(roleOf(fn.resource))
      .filter((statement) => asList(statement.Action).includes(action))
      .flatMap((statement) => asList(statement.Resource))
      .map((resource) => JSON.stringify(resource).replace(/^.*"(\/[^"]*)"\]\]\}$/, "$1"));
  };

  it("give GetCaRoot s3:GetObject on public/* only, and no secret", () => {
    const fn = functionsByName().get("GetCaRoot");
    if (fn === undefined) throw new Error("no GetCaRoot");

    const actions = actionsOfRole(roleOf(fn.resource));

    expect(objectsBy("GetCaRoot", "s3:GetObject")).toEqual(["/public/*"]);
    expect(actions).not.toContain("s3:PutObject");
    expect(actions.filter((action) => action.startsWith("secretsmanager:"))).toEqual([]);
  });

  it("let the functions that talk to the CA publish its root under public/", () => {
    expect(objectsBy("PlaceOrderWithCa", "s3:PutObject")).toEqual(
      expect.arrayContaining(["/ca/*", "/public/*"]),
    );
  });
});

describe("confirmation letters", () => {
  const objectsBy = (name: string, action: string) => {
    const fn = functionsByName().get(name);
    if (fn === undefined) throw new Error(`no function ${name}`);
    return statementsOfRole(roleOf(fn.resource))
      .filter((statement) => asList(statement.Action).includes(action))
      .flatMap((statement) => asList(statement.Resource))
      .map((resource) => JSON.stringify(resource).replace(/^.*"(\/[^"]*)"\]\]\}$/, "$1"));
  };

  it("reach their upload's function as bytes, and come back as bytes when asked with Accept", () => {
    const [[, api]] = resourcesOfType(service, "AWS::ApiGateway::RestApi") as [
      [string, CfnResource],
    ];

    expect(api.Properties.BinaryMediaTypes).toEqual(
      expect.arrayContaining([
        "image/png",
        "image/jpeg",
        "application/zip",
        "application/x-pkcs12",
        "application/x-pem-file",
      ]),
    );
  });

  it("are written under documents/ only by UploadDocument and read from there only by GetDocument", () => {
    expect(objectsBy("UploadDocument", "s3:PutObject")).toEqual(["/documents/*"]);
    expect(objectsBy("UploadDocument", "s3:GetObject")).toEqual([]);
    expect(objectsBy("GetDocument", "s3:GetObject")).toEqual(["/documents/*"]);
    expect(objectsBy("GetDocument", "s3:PutObject")).toEqual([]);
    for (const name of ["UploadDocument", "GetDocument"]) {
      const fn = functionsByName().get(name);
      if (fn === undefined) throw new Error(`no function ${name}`);
      const actions = actionsOfRole(roleOf(fn.resource));
      expect(
        actions.filter((action) => action.startsWith("secretsmanager:")),
        name,
      ).toEqual([]);
      expect(
        actions.filter((action) => action.startsWith("states:")),
        name,
      ).toEqual([]);
    }
  });
});

describe("API Gateway's own answers", () => {
  it("answer a body over its cap with 413 BODY_TOO_LARGE naming the limit, in the API's error shape", () => {
    const responses = resourcesOfType(service, "AWS::ApiGateway::GatewayResponse").map(
      ([, resource]) => resource.Properties,
    );

    const tooLarge = responses.find((response) => response.ResponseType === "REQUEST_TOO_LARGE");

    expect(tooLarge?.StatusCode).toBe("413");
    const body = JSON.parse(
      (tooLarge?.ResponseTemplates as Record<string, string> | undefined)?.["application/json"] ??
        "{}",
    );
    expect(body.error.code).toBe("BODY_TOO_LARGE");
    expect(body.error.message).toContain("1 MiB");
  });
});

describe("the API", () => {
  it("has one method per route, Cognito-authorized except the public ones", () => {
    const methods = resourcesOfType(service, "AWS::ApiGateway::Method").filter(
      ([, method]) => method.Properties.HttpMethod !== "OPTIONS",
    );
    expect(methods).toHaveLength(ROUTES.length);
    const byOperation = new Map(
      methods.map(([, method]) => [method.Properties.OperationName as string, method] as const),
    );
    for (const route of ROUTES) {
      const method = byOperation.get(route.name);
      expect(method?.Properties.HttpMethod, route.name).toBe(route.method);
      expect(method?.Properties.AuthorizationType, route.name).toBe(
        route.access === "public" ? "NONE" : "COGNITO_USER_POOLS",
      );
      expect(method?.Properties.RequestValidatorId, route.name).toBeDefined();
      expect(method?.Properties.RequestModels !== undefined, route.name).toBe(
        route.body !== undefined && !isRawBody(route.body),
      );
    }
    expect(byOperation.get("SubmitOrder")?.Properties.RequestModels).toBeDefined();
  });

  it("throttles, traces and writes access logs on its stage", () => {
    service.template.hasResourceProperties("AWS::ApiGateway::Stage", {
      StageName: "prod",
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
          DataTraceEnabled: false,
        }),
      ]),
    });
  });

  it("validates request bodies and parameters", () => {
    service.template.hasResourceProperties("AWS::ApiGateway::RequestValidator", {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  it("signs users in with a pool that has customer and operator groups and an admin-set tenant", () => {
    service.template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([
        Match.objectLike({ Name: "tenant", Mutable: false, AttributeDataType: "String" }),
      ]),
    });
    service.template.hasResourceProperties("AWS::Cognito::UserPoolGroup", {
      GroupName: "customer",
    });
    service.template.hasResourceProperties("AWS::Cognito::UserPoolGroup", {
      GroupName: "operator",
    });
    const [[, client]] = resourcesOfType(service, "AWS::Cognito::UserPoolClient") as [
      [string, CfnResource],
    ];
    expect(client.Properties.WriteAttributes).not.toContain("custom:tenant");
  });
});

describe("operations", () => {
  it("alarm on failed and timed-out executions, stuck orders, and every function's errors and throttles", () => {
    const alarms = resourcesOfType(service.operations, "AWS::CloudWatch::Alarm").map(
      ([, alarm]) => alarm.Properties as Record<string, any>,
    );
    const metricNames = alarms.map((alarm) => alarm.MetricName);
    expect(metricNames).toContain("ExecutionsFailed");
    expect(metricNames).toContain("ExecutionsTimedOut");
    const stuck = alarms.filter((alarm) => alarm.MetricName === "TransientStatusAgeSeconds");
    expect(
      stuck.map((alarm) => alarm.Dimensions.find((d: any) => d.Name === "Status").Value).sort(),
    ).toEqual(["ISSUING", "PENDING_VALIDATION", "SUBMITTED"]);
    const functionCount = functionsByName().size;
    expect(metricNames.filter((name) => name === "Errors")).toHaveLength(functionCount);
    expect(metricNames.filter((name) => name === "Throttles")).toHaveLength(functionCount);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it("has a dashboard and outputs the API URL, the state machine and its console link", () => {
    service.operations.template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const outputs = Object.keys(service.json.Outputs ?? {});
    expect(outputs).toEqual(
      expect.arrayContaining([
        "ApiUrl",
        "StateMachineArn",
        "ExecutionsConsoleUrl",
        "UserPoolClientId",
        "AlarmTopicArn",
        "DashboardName",
      ]),
    );
  });
});

describe("mail", () => {
  it("verifies the sender from context and sends through a configuration set", () => {
    service.template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "certificates@example.com",
    });
    service.template.resourceCountIs("AWS::SES::ConfigurationSet", 1);
  });
});

describe("the CA settings", () => {
  it("give the functions that only read the CA's directory its URL, with no secret and no grant for it", () => {
    const eab = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:certflow/eab-AbCdEf";
    const withCa = synthesizeService({
      "certflow:ca": "acme",
      "certflow:acmeDirectoryUrl": "https://acme.ca.example/directory",
      "certflow:acmeEabSecretArn": eab,
    });
    const readers = [...NEEDS].filter(
      ([, needs]) => needs.caDirectory === true && needs.ca !== true,
    );
    expect(readers.map(([name]) => name)).toContain("SubmitOrder");
    const functions = resourcesOfType(withCa, "AWS::Lambda::Function");
    const policies = resourcesOfType(withCa, "AWS::IAM::Policy");
    for (const [name] of readers) {
      const found = functions.find(
        ([, fn]) =>
          String(fn.Properties.Description).startsWith(`certflow route ${name}:`) ||
          String(fn.Properties.Description).startsWith(`certflow schedule ${name}:`) ||
          String(fn.Properties.Description).startsWith(`certflow step ${name}:`),
      );
      expect(found, name).toBeDefined();
      const [, fn] = found as [string, CfnResource];
      const variables = (fn.Properties as any).Environment.Variables;
      expect(variables.CERTFLOW_ACME_DIRECTORY_URL).toBe("https://acme.ca.example/directory");
      expect(variables).not.toHaveProperty("CERTFLOW_ACME_EAB_SECRET_ARN");
      const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const own = policies.filter(([, policy]) =>
        ((policy.Properties.Roles ?? []) as { Ref: string }[]).some((ref) => ref.Ref === role),
      );
      expect(JSON.stringify(own)).not.toContain(eab);
    }
  }, 60_000);

  it("give the functions that talk to the CA the EAB secret and the delegation zone, and no one else", () => {
    const eab = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:certflow/eab-AbCdEf";
    const withCa = synthesizeService({
      "certflow:acmeDirectoryUrl": "https://acme.ca.example/directory",
      "certflow:acmeEabSecretArn": eab,
      "certflow:delegationZoneName": "dcv.shop.example",
      "certflow:delegationHostedZoneId": "Z0123456789ABC",
    });
    const policies = Object.values(withCa.json.Resources).filter(
      (resource) => resource.Type === "AWS::IAM::Policy",
    );
    const text = (resource: CfnResource) => JSON.stringify(resource.Properties);
    const withEab = policies.filter((policy) => text(policy).includes(eab));
    const withZone = policies.filter((policy) =>
      text(policy).includes("hostedzone/Z0123456789ABC"),
    );
    const caFunctions = [...NEEDS].filter(([, needs]) => needs.ca === true);
    expect(withEab).toHaveLength(caFunctions.length);
    expect(withZone).toHaveLength(caFunctions.length);
    for (const policy of withZone) {
      expect(text(policy)).toContain("route53:GetChange");
      const statements = (policy.Properties as any).PolicyDocument.Statement as any[];
      const changes = statements.filter((statement) =>
        [statement.Action].flat().includes("route53:ChangeResourceRecordSets"),
      );
      // Only TXT records, only as the adapter changes them.
      expect(changes).toHaveLength(1);
      expect(changes[0].Condition).toEqual({
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
          "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"],
        },
      });
    }
    const variables = Object.values(withCa.json.Resources)
      .filter((resource) => resource.Type === "AWS::Lambda::Function")
      .map((resource) => (resource.Properties as any).Environment?.Variables ?? {});
    const told = variables.filter((vars) => vars.CERTFLOW_ACME_EAB_SECRET_ARN === eab);
    expect(told).toHaveLength(caFunctions.length);
    for (const vars of told) {
      expect(vars).toMatchObject({
        CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
        CERTFLOW_DNS_CNAME_ZONE: "dcv.shop.example",
        CERTFLOW_DNS_CNAME_HOSTED_ZONE_ID: "Z0123456789ABC",
      });
    }
  }, 60_000);
});
