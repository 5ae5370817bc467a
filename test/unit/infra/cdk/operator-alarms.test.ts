import { beforeAll, describe, expect, it } from "vitest";
import { CRL_TIME_LEFT } from "../../../../functions/schedules/runs/refresh-crl.ts";
import { schedule as renewalRun } from "../../../../functions/schedules/runs/renew-due-certificates.ts";
import { DELIVERY_BACKLOG_SECONDS, MISSED_RUN_HOURS } from "../../../../infra/cdk/operations.ts";
import {
  type CfnResource,
  deadLettersAlarmProperties,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

/** The deployment as cdk.json has it: embedded CA, renewal schedule on, no alarm address. */
let service: SynthesizedService;
/** An ACME deployment with the renewal schedule off and an alarm address. */
let acme: SynthesizedService;
beforeAll(() => {
  service = synthesizeService();
  acme = synthesizeService({
    "certflow:ca": "acme",
    "certflow:acmeDirectoryUrl": "https://acme.ca.example/directory",
    "certflow:renewalSchedule": "off",
    "certflow:alarmEmail": "ops@shop.example",
  });
}, 120_000);

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function only<T>(found: readonly T[], what: string): T {
  expect(found, what).toHaveLength(1);
  return found[0] as T;
}

/** The logical id of the function serving a step, route, run or consumer (its description). */
function functionId(from: SynthesizedService, kindAndName: string): string {
  return only(
    resourcesOfType(from, "AWS::Lambda::Function").filter(([, fn]) =>
      String(fn.Properties.Description).startsWith(`certflow ${kindAndName}:`),
    ),
    kindAndName,
  )[0];
}

/** Every statement of the policies attached to a role. */
function statementsOfRole(from: SynthesizedService, roleId: string): Statement[] {
  return resourcesOfType(from, "AWS::IAM::Policy")
    .filter(([, policy]) =>
      ((policy.Properties.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
}

/** The alarm Operations made under `id` in its nested stack (logical id `<id><hash>`). */
function alarm(from: SynthesizedService, id: string): Record<string, any> | undefined {
  const found = resourcesOfType(from.operations, "AWS::CloudWatch::Alarm").filter(([logicalId]) =>
    new RegExp(`^${id}[0-9A-F]{8}$`).test(logicalId),
  );
  return found.length === 0 ? undefined : only(found, id)[1].Properties;
}

function requiredAlarm(from: SynthesizedService, id: string): Record<string, any> {
  const found = alarm(from, id);
  if (found === undefined) throw new Error(`no alarm ${id}`);
  return found;
}

/** The alarm topic: each alarm's only action. */
function topicId(from: SynthesizedService): string {
  return only(resourcesOfType(from.operations, "AWS::SNS::Topic"), "the alarm topic")[0];
}

/** What an alarm watches and when it goes off, as the template says (description aside). */
function watched(properties: Record<string, any>) {
  const { AlarmDescription: _description, ...rest } = properties;
  return rest;
}

/** The queue of a construct (`Webhooks`, `MailQueue`) that has a dead-letter queue. */
const queueNamed = (
  from: SynthesizedService,
  construct: string,
  matching: (queue: CfnResource) => boolean,
) =>
  only(
    resourcesOfType(from, "AWS::SQS::Queue").filter(
      ([id, queue]) => id.startsWith(construct) && matching(queue),
    ),
    "queue",
  )[0];

describe("the operators' alarm topic", () => {
  it("is one SNS topic under the vault key, with no subscription unless alarmEmail is set", () => {
    const [, topic] = only(resourcesOfType(service.operations, "AWS::SNS::Topic"), "topic");
    const [vaultKey] = only(resourcesOfType(service, "AWS::KMS::Key"), "the vault key");
    expect(topic.Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [vaultKey, "Arn"] });
    expect(resourcesOfType(service.operations, "AWS::SNS::Subscription")).toEqual([]);
    expect(resourcesOfType(service, "AWS::SNS::Topic")).toEqual([]);

    const [, subscription] = only(
      resourcesOfType(acme.operations, "AWS::SNS::Subscription"),
      "email",
    );
    expect(subscription.Properties).toEqual({
      Protocol: "email",
      Endpoint: "ops@shop.example",
      TopicArn: { Ref: topicId(acme) },
    });
  });

  it("is the one action of every alarm", () => {
    for (const from of [service, acme]) {
      const topic = topicId(from);
      const alarms = resourcesOfType(from.operations, "AWS::CloudWatch::Alarm");
      expect(alarms.length).toBeGreaterThan(100);
      for (const [id, resource] of alarms) {
        expect(resource.Properties.AlarmActions, id).toEqual([{ Ref: topic }]);
      }
    }
  });
});

describe("the operations stack", () => {
  /** What a main-stack output reads from the nested stack: the nested output's value. */
  const nestedOutput = (from: SynthesizedService, name: string) => {
    const output = from.json.Outputs?.[name] as
      | { Value: { "Fn::GetAtt": [string, string] } }
      | undefined;
    if (output === undefined) throw new Error(`no output ${name}`);
    const value = output.Value["Fn::GetAtt"];
    const [resource, attribute] = value;
    expect(from.json.Resources[resource]?.Type).toBe("AWS::CloudFormation::Stack");
    const outputs = from.operations.json.Outputs as Record<string, { Value: unknown }>;
    return outputs[attribute.replace(/^Outputs\./, "")]?.Value;
  };

  it("holds the alarms, their topic and the dashboard, none of them left in the main stack", () => {
    for (const type of [
      "AWS::CloudWatch::Alarm",
      "AWS::CloudWatch::Dashboard",
      "AWS::SNS::Topic",
    ]) {
      expect(resourcesOfType(service, type), type).toEqual([]);
    }
    expect(resourcesOfType(service, "AWS::CloudFormation::Stack")).toHaveLength(1);
    service.operations.template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
  });

  it("gives the main stack's AlarmTopicArn and DashboardName outputs", () => {
    expect(nestedOutput(service, "AlarmTopicArn")).toEqual({ Ref: topicId(service) });
    const [dashboard] = only(
      resourcesOfType(service.operations, "AWS::CloudWatch::Dashboard"),
      "dashboard",
    );
    expect(nestedOutput(service, "DashboardName")).toEqual({ Ref: dashboard });
  });
});

describe("the renewal run", () => {
  it("is scheduled daily at 03:00 UTC, ENABLED, invoking its function and nothing else", () => {
    const renewal = functionId(service, "schedule RenewDueCertificates");
    const [, schedule] = only(
      resourcesOfType(service, "AWS::Scheduler::Schedule").filter(
        ([, candidate]) =>
          JSON.stringify((candidate.Properties.Target as { Arn: unknown }).Arn) ===
          JSON.stringify({ "Fn::GetAtt": [renewal, "Arn"] }),
      ),
      "the renewal schedule",
    );
    expect(schedule.Properties).toMatchObject({
      State: "ENABLED",
      ScheduleExpression: "cron(0 3 * * ? *)",
      ScheduleExpressionTimezone: "Etc/UTC",
    });
    const roleId = (schedule.Properties.Target as { RoleArn: { "Fn::GetAtt": [string] } }).RoleArn[
      "Fn::GetAtt"
    ][0];
    expect(statementsOfRole(service, roleId)).toEqual([
      {
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: [
          { "Fn::GetAtt": [renewal, "Arn"] },
          { "Fn::Join": ["", [{ "Fn::GetAtt": [renewal, "Arn"] }, ":*"]] },
        ],
      },
    ]);
  });

  it("may query the table and only the ByRenewalDate index, write orders, read the vault folders it declares and copy CSRs, mail and start executions, and nothing more", () => {
    const renewal = functionId(service, "schedule RenewDueCertificates");
    const [, fn] = only(
      resourcesOfType(service, "AWS::Lambda::Function").filter(([id]) => id === renewal),
      "function",
    );
    const roleId = (fn.Properties.Role as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0];
    const statements = statementsOfRole(service, roleId).filter(
      (statement) =>
        !asList(statement.Action).some(
          (action) => action.startsWith("logs:") || action.startsWith("xray:"),
        ),
    );
    const resourcesFor = (action: string) =>
      statements
        .filter((statement) => asList(statement.Action).includes(action))
        .flatMap((statement) => asList(statement.Resource));
    /** The vault folder of an object ARN (`<bucket ARN>/csrs/*` → `csrs`). */
    const folderOf = (resource: unknown) =>
      /^\/([a-z-]+)\/\*$/.exec(
        (resource as { "Fn::Join": [string, [unknown, string]] })["Fn::Join"]?.[1]?.[1] ?? "",
      )?.[1];
    const table = { "Fn::GetAtt": [expect.stringMatching(/^StorageOrders/), "Arn"] };
    const vault = { "Fn::GetAtt": [expect.stringMatching(/^StorageVault[0-9A-F]{8}$/), "Arn"] };
    const vaultKey = { "Fn::GetAtt": [expect.stringMatching(/^StorageVaultKey/), "Arn"] };

    // Beyond the renewal index and StartExecution, the run claims each renewal on its order and
    // marks ended ones EXPIRED (conditional writes), reads the order's CSR and copies it for the
    // renewal, and mails customers; it invokes itself, once per shard of the renewal index. No
    // Scan, no delete, no other index, no secret, no other function.
    expect(
      [...new Set(statements.flatMap((statement) => asList(statement.Action)))].sort(),
    ).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "lambda:InvokeFunction",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
      "sqs:SendMessage",
      "states:StartExecution",
    ]);
    expect(resourcesFor("lambda:InvokeFunction")).toEqual([{ "Fn::GetAtt": [renewal, "Arn"] }]);
    for (const action of ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]) {
      expect(resourcesFor(action), action).toEqual([table]);
    }
    expect(resourcesFor("dynamodb:Query")).toEqual([
      table,
      { "Fn::Join": ["", [table, "/index/ByRenewalDate"]] },
    ]);
    expect(resourcesFor("s3:PutObject").map(folderOf)).toEqual(["csrs"]);
    expect(resourcesFor("s3:GetObject").map(folderOf).sort()).toEqual(
      [...(renewalRun.needs.vaultRead ?? [])].sort(),
    );
    expect(resourcesFor("s3:GetObject").map(folderOf)).toContain("csrs");
    expect(resourcesFor("s3:ListBucket")).toEqual([vault]);
    expect(resourcesFor("kms:Decrypt")).toEqual([vaultKey]);
    expect(resourcesFor("kms:GenerateDataKey")).toEqual([vaultKey]);
    expect(resourcesFor("states:StartExecution")).toEqual([
      { Ref: expect.stringMatching(/^WorkflowOrderStateMachine/) },
    ]);
    // Its mails go onto the mail queue; the mail sender alone calls SES.
    expect(resourcesFor("sqs:SendMessage")).toEqual([
      {
        "Fn::GetAtt": [
          queueNamed(service, "MailQueue", (queue) => queue.Properties.RedrivePolicy !== undefined),
          "Arn",
        ],
      },
    ]);
  });

  it("alarms when it ends in an error", () => {
    const renewal = functionId(service, "schedule RenewDueCertificates");
    expect(watched(requiredAlarm(service, "RenewDueCertificatesErrors"))).toEqual({
      AlarmActions: [{ Ref: topicId(service) }],
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: renewal } }],
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("alarms when it could not handle a due order (its own count, published by its function)", () => {
    expect(watched(requiredAlarm(service, "RenewalRunOrdersFailed"))).toEqual({
      AlarmActions: [{ Ref: topicId(service) }],
      Namespace: "certflow",
      MetricName: "failed",
      Dimensions: [
        { Name: "Schedule", Value: "RenewDueCertificates" },
        { Name: "service", Value: "certflow" },
      ],
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("alarms when it was not invoked for longer than a day, no data counting as not run", () => {
    const renewal = functionId(service, "schedule RenewDueCertificates");
    const missed = requiredAlarm(service, "RenewalRunMissed");
    expect(watched(missed)).toEqual({
      AlarmActions: [{ Ref: topicId(service) }],
      Namespace: "AWS/Lambda",
      MetricName: "Invocations",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: renewal } }],
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: MISSED_RUN_HOURS,
      DatapointsToAlarm: MISSED_RUN_HOURS,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
    // Longer than the daily interval and the scheduler's 15-minute window; within CloudWatch's
    // 7-day evaluation range.
    const window = missed.Period * missed.EvaluationPeriods;
    expect(window).toBeGreaterThan(86_400 + 15 * 60);
    expect(window).toBeLessThanOrEqual(7 * 86_400);
  });

  it("has none of these alarms when the renewal schedule is off", () => {
    for (const id of ["RenewalRunOrdersFailed", "RenewalRunMissed", "RenewDueCertificatesErrors"]) {
      expect(alarm(acme, id), id).toBeUndefined();
    }
  });
});

describe("the embedded CA's CRL", () => {
  it("alarms when the CRL its refresh published has no time left, or none was published for longer than a day", () => {
    const stale = requiredAlarm(service, "CrlStale");
    expect(watched(stale)).toEqual({
      AlarmActions: [{ Ref: topicId(service) }],
      Namespace: "certflow",
      MetricName: CRL_TIME_LEFT,
      Dimensions: [
        { Name: "Schedule", Value: "RefreshCrl" },
        { Name: "service", Value: "certflow" },
      ],
      Statistic: "Minimum",
      Period: 3600,
      EvaluationPeriods: MISSED_RUN_HOURS,
      DatapointsToAlarm: MISSED_RUN_HOURS,
      Threshold: 0,
      ComparisonOperator: "LessThanOrEqualToThreshold",
      TreatMissingData: "breaching",
    });
    expect(CRL_TIME_LEFT).toBe("nextUpdateInSeconds");
    expect(stale.Period * stale.EvaluationPeriods).toBeGreaterThan(86_400 + 15 * 60);
  });

  it("has no CRL alarm with an ACME CA, which publishes its own CRL", () => {
    expect(alarm(acme, "CrlStale")).toBeUndefined();
    expect(
      resourcesOfType(acme, "AWS::Lambda::Function").filter(([, fn]) =>
        String(fn.Properties.Description).startsWith("certflow schedule RefreshCrl:"),
      ),
    ).toEqual([]);
  });
});

describe("webhook deliveries", () => {
  const deliveryQueue = (from: SynthesizedService) =>
    queueNamed(from, "Webhooks", (queue) => queue.Properties.RedrivePolicy !== undefined);

  it("come from a queue that feeds DeliverWebhooks and has a dead-letter queue (5 receives)", () => {
    const queue = deliveryQueue(service);
    service.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: functionId(service, "consumer DeliverWebhooks") },
      EventSourceArn: { "Fn::GetAtt": [queue, "Arn"] },
    });
    const [, resource] = only(
      resourcesOfType(service, "AWS::SQS::Queue").filter(([id]) => id === queue),
      "queue",
    );
    expect(resource.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [expect.stringMatching(/^WebhooksDeadLetters/), "Arn"] },
      maxReceiveCount: 5,
    });
  });

  it("alarm when the delivery queue's oldest message has waited more than an hour", () => {
    expect(DELIVERY_BACKLOG_SECONDS).toBe(3_600);
    for (const from of [service, acme]) {
      expect(watched(requiredAlarm(from, "WebhookDeliveriesBackedUp"))).toEqual({
        AlarmActions: [{ Ref: topicId(from) }],
        Namespace: "AWS/SQS",
        MetricName: "ApproximateAgeOfOldestMessage",
        Dimensions: [
          { Name: "QueueName", Value: { "Fn::GetAtt": [deliveryQueue(from), "QueueName"] } },
        ],
        Statistic: "Maximum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: DELIVERY_BACKLOG_SECONDS,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      });
    }
  });

  it("alarm on any message in the dead-letter queue, keeping the alarm while SQS reports nothing", () => {
    const [, queue] = only(
      resourcesOfType(service, "AWS::SQS::Queue").filter(([id]) => id === deliveryQueue(service)),
      "queue",
    );
    const deadLetters = (
      queue.Properties.RedrivePolicy as { deadLetterTargetArn: { "Fn::GetAtt": [string] } }
    ).deadLetterTargetArn["Fn::GetAtt"][0];
    expect(watched(requiredAlarm(service, "DeadLetters"))).toEqual(
      deadLettersAlarmProperties(topicId(service), deadLetters),
    );
  });
});
