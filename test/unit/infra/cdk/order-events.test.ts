import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_SORT_KEY_PREFIX } from "../../../../functions/adapters/aws/order-table-design.ts";
import {
  type CfnResource,
  resourcesOfType,
  type SynthesizedService,
  synthesizeService,
} from "./synthesized-service.ts";

let service: SynthesizedService;
beforeAll(() => {
  service = synthesizeService();
}, 60_000);

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every function of the stack by the name in its description, with its role's statements. */
function functions(): Map<string, { logicalId: string; statements: Statement[] }> {
  const found = new Map<string, { logicalId: string; statements: Statement[] }>();
  for (const [logicalId, fn] of resourcesOfType(service, "AWS::Lambda::Function")) {
    const name = /^certflow \w+ (\w+):/.exec(String(fn.Properties.Description ?? ""))?.[1];
    if (name === undefined) continue;
    const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const statements = resourcesOfType(service, "AWS::IAM::Policy")
      .filter(([, policy]) =>
        ((policy.Properties.Roles ?? []) as { Ref: string }[]).some((ref) => ref.Ref === role),
      )
      .flatMap(
        ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
    found.set(name, { logicalId, statements });
  }
  return found;
}

function fn(name: string) {
  const found = functions().get(name);
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
}

const actionsOf = (name: string) =>
  [...new Set(fn(name).statements.flatMap((statement) => asList(statement.Action)))].sort();

const resourcesFor = (name: string, action: string) =>
  fn(name)
    .statements.filter((statement) => asList(statement.Action).includes(action))
    .flatMap((statement) => asList(statement.Resource));

function logicalIdOfType(
  type: string,
  matching: (resource: CfnResource) => boolean,
  prefix = "",
): string {
  const found = resourcesOfType(service, type).find(
    ([id, resource]) => id.startsWith(prefix) && matching(resource),
  );
  if (found === undefined) throw new Error(`no ${type}`);
  return found[0];
}

const deliveryQueueId = () =>
  logicalIdOfType(
    "AWS::SQS::Queue",
    (queue) => queue.Properties.RedrivePolicy !== undefined,
    "Webhooks",
  );

describe("order events on AWS", () => {
  it("come from the order table's stream of new images", () => {
    service.template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      StreamSpecification: { StreamViewType: "NEW_IMAGE" },
    });
  });

  it("feed PublishOrderEvents with new history events only, failures reported one by one", () => {
    const { logicalId } = fn("PublishOrderEvents");
    const table = logicalIdOfType("AWS::DynamoDB::GlobalTable", () => true);

    service.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalId },
      EventSourceArn: { "Fn::GetAtt": [table, "StreamArn"] },
      StartingPosition: "TRIM_HORIZON",
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ["INSERT"],
              dynamodb: { Keys: { SK: { S: [{ prefix: EVENT_SORT_KEY_PREFIX }] } } },
            }),
          },
        ],
      },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("feed DeliverWebhooks from the delivery queue, which has a dead-letter queue and takes TLS only", () => {
    const { logicalId } = fn("DeliverWebhooks");
    const queue = deliveryQueueId();

    service.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalId },
      EventSourceArn: { "Fn::GetAtt": [queue, "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    service.template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    service.template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });

  it("go to the default EventBridge bus only, from PublishOrderEvents only", () => {
    expect(resourcesFor("PublishOrderEvents", "events:PutEvents")).toEqual([
      {
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            ":events:",
            { Ref: "AWS::Region" },
            ":",
            { Ref: "AWS::AccountId" },
            ":event-bus/default",
          ],
        ],
      },
    ]);
    for (const [name, { statements }] of functions()) {
      if (name === "PublishOrderEvents") continue;
      const actions = statements.flatMap((statement) => asList(statement.Action));
      expect(actions, name).not.toContain("events:PutEvents");
    }
  });

  it("grant each consumer what it uses and no more", () => {
    const queueArn = { "Fn::GetAtt": [deliveryQueueId(), "Arn"] };

    // The delivery queue, and the dead-letter queue the stream's failures go to.
    const deadLetters = logicalIdOfType(
      "AWS::SQS::Queue",
      (queue) => queue.Properties.RedrivePolicy === undefined,
      "Webhooks",
    );
    expect(resourcesFor("PublishOrderEvents", "sqs:SendMessage")).toEqual([
      queueArn,
      { "Fn::GetAtt": [deadLetters, "Arn"] },
    ]);
    expect(actionsOf("PublishOrderEvents")).toEqual(
      expect.arrayContaining([
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:Query",
      ]),
    );
    expect(actionsOf("PublishOrderEvents").some((action) => action.startsWith("s3:"))).toBe(false);
    expect(actionsOf("PublishOrderEvents")).not.toContain("secretsmanager:GetSecretValue");

    expect(resourcesFor("DeliverWebhooks", "sqs:SendMessage")).toEqual([queueArn]);
    expect(actionsOf("DeliverWebhooks")).toEqual(
      expect.arrayContaining([
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "secretsmanager:GetSecretValue",
      ]),
    );
    expect(JSON.stringify(resourcesFor("DeliverWebhooks", "s3:GetObject"))).toContain(
      "/webhook-secrets/*",
    );
    expect(actionsOf("DeliverWebhooks")).not.toContain("s3:PutObject");
    expect(actionsOf("DeliverWebhooks").some((action) => action.startsWith("states:"))).toBe(false);
  });

  it("let only the webhook functions touch the secrets' folder, and only the queue's functions send to it", () => {
    for (const [name, { statements }] of functions()) {
      const secrets = statements
        .filter((statement) =>
          asList(statement.Action).some(
            (action) => action === "s3:GetObject" || action === "s3:PutObject",
          ),
        )
        .some((statement) => JSON.stringify(statement.Resource).includes("/webhook-secrets/*"));
      expect(secrets, name).toBe(
        ["CreateWebhook", "DeleteWebhook", "PingWebhook", "DeliverWebhooks"].includes(name),
      );
      const deliveryQueue = JSON.stringify({ "Fn::GetAtt": [deliveryQueueId(), "Arn"] });
      const sends = statements.some(
        (statement) =>
          asList(statement.Action).includes("sqs:SendMessage") &&
          JSON.stringify(statement.Resource).includes(deliveryQueue),
      );
      expect(sends, name).toBe(["PublishOrderEvents", "DeliverWebhooks"].includes(name));
    }
    expect(JSON.stringify(resourcesFor("CreateWebhook", "s3:PutObject"))).toContain(
      "/webhook-secrets/*",
    );
    expect(resourcesFor("ListWebhooks", "s3:GetObject")).toEqual([]);
  });

  it("tell the queue's functions its URL, and nobody else", () => {
    for (const [name, { logicalId }] of functions()) {
      const [, resource] = resourcesOfType(service, "AWS::Lambda::Function").find(
        ([id]) => id === logicalId,
      ) as [string, CfnResource];
      const variables = (resource.Properties as any).Environment.Variables as Record<
        string,
        unknown
      >;
      expect("CERTFLOW_DELIVERY_QUEUE_URL" in variables, name).toBe(
        ["PublishOrderEvents", "DeliverWebhooks"].includes(name),
      );
    }
  });

  it("raise alarms for the consumers as for every function", () => {
    const alarms = resourcesOfType(service.operations, "AWS::CloudWatch::Alarm").map(([, alarm]) =>
      JSON.stringify(alarm.Properties),
    );
    for (const name of ["PublishOrderEvents", "DeliverWebhooks"]) {
      const { logicalId } = fn(name);
      expect(
        alarms.filter((alarm) => alarm.includes(`"Ref":"${logicalId}"`)).length,
        name,
      ).toBeGreaterThan(0);
    }
  });
});
