import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { SERVICE_CATALOG } from "../../../../infra/cdk/app.ts";
import { RenewalSchedule } from "../../../../infra/cdk/renewal-schedule.ts";
import { schedule } from "../../../fixtures/schedules/renew-due-orders.ts";
import { synthesizeService } from "./synthesized-service.ts";

function scheduleFor(hourUtc?: number) {
  const stack = new Stack(new App(), "RenewalTest");
  const handler = new LambdaFunction(stack, "StandIn", {
    runtime: Runtime.NODEJS_24_X,
    handler: "index.handler",
    code: Code.fromInline("export const handler = async () => ({});"),
  });
  new RenewalSchedule(stack, "Renewal", { handler, hourUtc });
  return {
    template: Template.fromStack(stack),
    handlerId: stack.getLogicalId(handler.node.defaultChild as never),
  };
}

describe("the renewal schedule", () => {
  it("invokes its handler daily at 03:00 UTC with the scheduled time, and may invoke nothing else", () => {
    const { template, handlerId } = scheduleFor();
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 3 * * ? *)",
      ScheduleExpressionTimezone: "Etc/UTC",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
      Target: Match.objectLike({
        Arn: { "Fn::GetAtt": [handlerId, "Arn"] },
        Input: Match.stringLikeRegexp("<aws.scheduler.scheduled-time>"),
        RetryPolicy: { MaximumEventAgeInSeconds: 21_600, MaximumRetryAttempts: 3 },
      }),
    });
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: "scheduler.amazonaws.com" } }),
        ]),
      },
    });
    const policies = template.findResources("AWS::IAM::Policy");
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    expect(statements.map((statement) => statement.Action)).toEqual(["lambda:InvokeFunction"]);
  });

  it("takes another hour, and refuses one that is not an hour of the day", () => {
    scheduleFor(22).template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 22 * * ? *)",
    });
    expect(() => scheduleFor(24)).toThrow(/0-23/);
  });

  it("is on by default with the renewal run and the CRL refresh; off leaves the CRL refresh alone", () => {
    const descriptions = (service: ReturnType<typeof synthesizeService>) =>
      Object.values(service.json.Resources)
        .filter((resource) => resource.Type === "AWS::Scheduler::Schedule")
        .map((schedule) => String(schedule.Properties.Description))
        .sort();
    const renewalOnly = {
      ...SERVICE_CATALOG,
      schedules: SERVICE_CATALOG.schedules.filter(
        ({ declaration }) => declaration.runs === "always",
      ),
    };

    const byDefault = synthesizeService();
    const off = synthesizeService({ "certflow:renewalSchedule": "off" });

    expect(descriptions(byDefault)).toEqual([
      "certflow: re-signs and publishes the embedded CA's CRL so it never lapses",
      "certflow: starts renewals of certificates that are due, and marks ended ones EXPIRED",
    ]);
    expect(descriptions(off)).toEqual([
      "certflow: re-signs and publishes the embedded CA's CRL so it never lapses",
    ]);
    expect(() => synthesizeService({ "certflow:renewalSchedule": "on" }, renewalOnly)).toThrow(
      /scheduled handler declared in functions\/schedules\/runs/,
    );
  }, 120_000);

  it("builds a declared scheduled run into its own function, granted what its needs name", () => {
    const withRun = {
      ...SERVICE_CATALOG,
      schedules: [
        {
          declaration: schedule,
          modulePath: "test/fixtures/schedules/renew-due-orders.ts",
          exportName: "schedule",
        },
      ],
    };

    const service = synthesizeService({ "certflow:renewalSchedule": "on" }, withRun);

    const functions = Object.entries(service.json.Resources).filter(
      ([, resource]) =>
        resource.Type === "AWS::Lambda::Function" &&
        String(resource.Properties.Description).startsWith("certflow schedule RenewDueOrders:"),
    );
    expect(functions).toHaveLength(1);
    const [[functionId, fn]] = functions as [[string, (typeof functions)[number][1]]];
    const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const statements = Object.values(service.json.Resources)
      .filter(
        (resource) =>
          resource.Type === "AWS::IAM::Policy" &&
          JSON.stringify(resource.Properties.Roles).includes(role),
      )
      .flatMap((policy) => (policy.Properties as any).PolicyDocument.Statement as any[]);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(["dynamodb:GetItem", "dynamodb:Query", "states:StartExecution"]),
    );
    expect(actions).not.toContain("dynamodb:PutItem");
    expect(JSON.stringify(statements)).toContain("/index/ByRenewalDate");
    service.template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 4 * * ? *)",
      Target: Match.objectLike({ Arn: { "Fn::GetAtt": [functionId, "Arn"] } }),
    });
  }, 60_000);
});
