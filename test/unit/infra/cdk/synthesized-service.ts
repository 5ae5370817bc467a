import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { ServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { buildApp, SERVICE_CATALOG } from "../../../../infra/cdk/app.ts";
import type { CertflowStack } from "../../../../infra/cdk/certflow-stack.ts";

/** The context of cdk.json: tests synthesize what `npx cdk deploy` would. */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(
    readFileSync(new URL("../../../../cdk.json", import.meta.url), "utf8"),
  ) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** One synthesized template, and its JSON. */
export interface SynthesizedTemplate {
  readonly template: Template;
  readonly json: { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
}

export interface SynthesizedService extends SynthesizedTemplate {
  readonly app: App;
  readonly stack: CertflowStack;
  /**
   * The operations nested stack (alarms, their topic, the dashboard). In `json` each of its
   * parameters is replaced by what the main stack passes it, so a reference to a function reads
   * `{ Ref: <the function's logical id in the main stack> }` as it would in one stack.
   */
  readonly operations: SynthesizedTemplate;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/**
 * Synthesizes the whole app offline, with cdk-nag's AwsSolutions pack (synthesis fails on any
 * finding not acknowledged) and without bundling the functions.
 */
export function synthesizeService(
  context: Record<string, unknown> = {},
  catalog: ServiceCatalog = SERVICE_CATALOG,
): SynthesizedService {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), "certflow-cdk-")),
    context: { ...projectContext(), ...context, "aws:cdk:bundling-stacks": [] },
  });
  const { stack } = buildApp(app, catalog);
  app.synth();
  const template = Template.fromStack(stack);
  const json = template.toJSON() as SynthesizedService["json"];
  const nested = Template.fromStack(stack.operations.nestedStack);
  const nestedResource = stack.operations.nestedStack.nestedStackResource;
  const passed = (
    nestedResource === undefined
      ? undefined
      : json.Resources[stack.getLogicalId(nestedResource)]?.Properties.Parameters
  ) as Record<string, unknown> | undefined;
  if (passed === undefined) throw new Error("The main stack does not deploy the operations stack.");
  const resolved = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolved);
    if (value === null || typeof value !== "object") return value;
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === "string" && Object.keys(value).length === 1 && ref in passed) {
      return passed[ref];
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolved(inner)]));
  };
  return {
    app,
    stack,
    template,
    json,
    operations: {
      template: nested,
      json: resolved(nested.toJSON()) as SynthesizedTemplate["json"],
    },
  };
}

export function resourcesOfType(service: SynthesizedTemplate, type: string) {
  return Object.entries(service.json.Resources).filter(([, resource]) => resource.Type === type);
}

/**
 * A dead-letter queue's alarm as the template holds it (after the alarm's description): anything
 * visible in the queue `deadLetters` (its logical id) for 5 minutes alarms the topic `topic`.
 */
export function deadLettersAlarmProperties(topic: string, deadLetters: string) {
  return {
    AlarmActions: [{ Ref: topic }],
    Namespace: "AWS/SQS",
    MetricName: "ApproximateNumberOfMessagesVisible",
    Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [deadLetters, "QueueName"] } }],
    Statistic: "Maximum",
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: "GreaterThanThreshold",
    TreatMissingData: "ignore",
  };
}
