import { beforeAll, describe, expect, it } from "vitest";
import { resourcesBuiltFor } from "../../../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { AWS_ENVIRONMENT } from "../../../../functions/lambda/aws-environment.ts";
import { SES_DEFAULT_MAX_SEND_RATE } from "../../../../functions/mail/mail-sending.ts";
import { MAIL_SENDER_BATCH_SIZE, MAIL_SENDERS } from "../../../../infra/cdk/mail-queue.ts";
import { MAIL_BACKLOG_SECONDS } from "../../../../infra/cdk/operations.ts";
import { documentedScale } from "./documented-scale.ts";
import {
  type CfnResource,
  deadLettersAlarmProperties,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

const catalog = await loadServiceCatalog();
/** Every declaration that mails customers: on AWS, through the mail queue. */
const MAILING = [
  ...catalog.steps.map(({ declaration }) => [declaration.state, declaration.needs] as const),
  ...catalog.routes.map(({ declaration }) => [declaration.name, declaration.needs] as const),
  ...catalog.schedules.map(({ declaration }) => [declaration.name, declaration.needs] as const),
  ...catalog.consumers.map(({ declaration }) => [declaration.name, declaration.needs] as const),
  ...catalog.deployTasks.map(({ declaration }) => [declaration.name, declaration.needs] as const),
]
  .filter(([, needs]) => resourcesBuiltFor(needs).includes("mailer"))
  .map(([name]) => name);

let service: SynthesizedService;
beforeAll(() => {
  service = synthesizeService();
}, 120_000);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function only<T>(found: readonly T[], what: string): T {
  expect(found, what).toHaveLength(1);
  return found[0] as T;
}

/** Every function by the name in its description, with its environment and role's statements. */
function functions(from: SynthesizedService) {
  const found = new Map<
    string,
    { logicalId: string; variables: Record<string, unknown>; statements: Statement[] }
  >();
  for (const [logicalId, fn] of resourcesOfType(from, "AWS::Lambda::Function")) {
    const name = /^certflow \w+ (\w+):/.exec(String(fn.Properties.Description ?? ""))?.[1];
    if (name === undefined) continue;
    const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const statements = resourcesOfType(from, "AWS::IAM::Policy")
      .filter(([, policy]) =>
        ((policy.Properties.Roles ?? []) as { Ref: string }[]).some((ref) => ref.Ref === role),
      )
      .flatMap(
        ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    found.set(name, { logicalId, variables, statements });
  }
  return found;
}

function sender(from: SynthesizedService) {
  const found = functions(from).get("SendMails");
  if (found === undefined) throw new Error("no SendMails function");
  return found;
}

const mailQueueId = (from: SynthesizedService) =>
  only(
    resourcesOfType(from, "AWS::SQS::Queue").filter(
      ([id, queue]) => id.startsWith("MailQueueMails") && queue.Properties.RedrivePolicy,
    ),
    "mail queue",
  )[0];

const queueArn = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

/** The sender's event source mapping. */
function mapping(from: SynthesizedService): CfnResource {
  return only(
    resourcesOfType(from, "AWS::Lambda::EventSourceMapping").filter(
      ([, resource]) =>
        JSON.stringify(resource.Properties.FunctionName) ===
        JSON.stringify({ Ref: sender(from).logicalId }),
    ),
    "SendMails' event source",
  )[1];
}

describe("the mail queue", () => {
  it("is encrypted by SQS, keeps 4 days of backlog, and sends a mail handed back 5 times to its own dead-letter queue", () => {
    const id = mailQueueId(service);
    const [, queue] = only(
      resourcesOfType(service, "AWS::SQS::Queue").filter(([queueId]) => queueId === id),
      "queue",
    );
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86_400,
      VisibilityTimeout: 360,
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: queueArn(
          only(
            resourcesOfType(service, "AWS::SQS::Queue").filter(([queueId]) =>
              queueId.startsWith("MailQueueDeadLetters"),
            ),
            "mail dead letters",
          )[0],
        ),
      },
    });
  });

  it("takes TLS only, on both queues", () => {
    const denied = resourcesOfType(service, "AWS::SQS::QueuePolicy")
      .filter(([, policy]) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      )
      .flatMap(([, policy]) => policy.Properties.Queues as { Ref: string }[])
      .map((queue) => queue.Ref);
    expect(denied).toEqual(expect.arrayContaining([mailQueueId(service)]));
    expect(denied.some((id) => id.startsWith("MailQueueDeadLetters"))).toBe(true);
  });

  it("may be sent to by exactly the functions that mail, and read by SendMails alone", () => {
    const arn = JSON.stringify(queueArn(mailQueueId(service)));
    const touching = (actions: string[]) =>
      [...functions(service)]
        .filter(([, { statements }]) =>
          statements.some(
            (statement) =>
              asList(statement.Action).some((action) => actions.includes(action)) &&
              JSON.stringify(statement.Resource).includes(arn),
          ),
        )
        .map(([name]) => name)
        .sort();
    expect(MAILING.length).toBeGreaterThan(5);
    expect(touching(["sqs:SendMessage"])).toEqual([...MAILING].sort());
    expect(touching(["sqs:ReceiveMessage", "sqs:DeleteMessage"])).toEqual(["SendMails"]);
    // Only the sender calls SES, and it sends nothing to a queue.
    const callingSes = [...functions(service)]
      .filter(([, { statements }]) =>
        statements.some((statement) => asList(statement.Action).includes("ses:SendEmail")),
      )
      .map(([name]) => name);
    expect(callingSes).toEqual(["SendMails"]);
    expect(
      sender(service).statements.flatMap((statement) => asList(statement.Action)),
    ).not.toContain("sqs:SendMessage");
  });

  it("is named to the mailing functions, and SES's sender and configuration set to SendMails only", () => {
    for (const [name, { variables }] of functions(service)) {
      expect(AWS_ENVIRONMENT.mailQueueUrl in variables, name).toBe(MAILING.includes(name));
      expect(AWS_ENVIRONMENT.senderAddress in variables, name).toBe(name === "SendMails");
    }
    expect(sender(service).variables[AWS_ENVIRONMENT.mailQueueUrl]).toBeUndefined();
  });
});

describe("SES's sending rate, as README's Scale section sizes it", () => {
  it("feeds SendMails batches of the documented size, at most the documented senders at once, failures one by one", () => {
    const documented = documentedScale();
    expect(documented.get("MAIL_SENDER_BATCH_SIZE")).toBe(MAIL_SENDER_BATCH_SIZE);
    expect(documented.get("MAIL_SENDERS")).toBe(MAIL_SENDERS);
    expect(MAIL_SENDERS).toBeGreaterThanOrEqual(2);
    expect(mapping(service).Properties).toMatchObject({
      EventSourceArn: queueArn(mailQueueId(service)),
      BatchSize: MAIL_SENDER_BATCH_SIZE,
      ScalingConfig: { MaximumConcurrency: MAIL_SENDERS },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("gives SendMails the documented rate and its count of senders, which share it", () => {
    const documented = documentedScale();
    expect(documented.get("certflow:sesMaxSendRate")).toBe(SES_DEFAULT_MAX_SEND_RATE);
    expect(SES_DEFAULT_MAX_SEND_RATE).toBe(14);
    expect(sender(service).variables).toMatchObject({
      [AWS_ENVIRONMENT.sesMaxSendRate]: String(SES_DEFAULT_MAX_SEND_RATE),
      [AWS_ENVIRONMENT.mailSenders]: String(MAIL_SENDERS),
    });
  });

  it("takes the rate from the deployment setting", () => {
    const raised = synthesizeService({ "certflow:sesMaxSendRate": "200" });
    expect(sender(raised).variables[AWS_ENVIRONMENT.sesMaxSendRate]).toBe("200");
    expect(mapping(raised).Properties).toMatchObject({
      ScalingConfig: { MaximumConcurrency: MAIL_SENDERS },
    });
  }, 120_000);
});

describe("the mail alarms", () => {
  const alarm = (id: string) =>
    only(
      resourcesOfType(service.operations, "AWS::CloudWatch::Alarm").filter(([logicalId]) =>
        new RegExp(`^${id}[0-9A-F]{8}$`).test(logicalId),
      ),
      id,
    )[1].Properties;
  const topic = () => only(resourcesOfType(service.operations, "AWS::SNS::Topic"), "topic")[0];

  it("go off when the mail queue's oldest mail has waited more than an hour", () => {
    expect(MAIL_BACKLOG_SECONDS).toBe(3_600);
    const { AlarmDescription: _description, ...watched } = alarm("MailBackedUp");
    expect(watched).toEqual({
      AlarmActions: [{ Ref: topic() }],
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::GetAtt": [mailQueueId(service), "QueueName"] } },
      ],
      Statistic: "Maximum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: MAIL_BACKLOG_SECONDS,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  it("go off on any mail in the mail dead-letter queue", () => {
    const { AlarmDescription: _description, ...watched } = alarm("MailDeadLetters");
    const deadLetters = only(
      resourcesOfType(service, "AWS::SQS::Queue").filter(([id]) =>
        id.startsWith("MailQueueDeadLetters"),
      ),
      "mail dead letters",
    )[0];
    expect(watched).toEqual(deadLettersAlarmProperties(topic(), deadLetters));
  });

  it("have the mail queue's age and dead letters beside them on the dashboard", () => {
    const [, dashboard] = only(
      resourcesOfType(service.operations, "AWS::CloudWatch::Dashboard"),
      "dashboard",
    );
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain("Mail queue: oldest mail (s), mails sent, dead letters");
    expect(body).toContain(mailQueueId(service));
  });

  it("leave the main stack well under CloudFormation's 500 resources", () => {
    expect(Object.keys(service.json.Resources).length).toBeLessThanOrEqual(400);
    expect(resourcesOfType(service, "AWS::CloudWatch::Alarm")).toEqual([]);
  });
});
