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

export interface SynthesizedService {
  readonly app: App;
  readonly stack: CertflowStack;
  readonly template: Template;
  readonly json: { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
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
  return { app, stack, template, json: template.toJSON() as SynthesizedService["json"] };
}

export function resourcesOfType(service: SynthesizedService, type: string) {
  return Object.entries(service.json.Resources).filter(([, resource]) => resource.Type === type);
}
