// The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack holding the whole service.
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import {
  loadServiceCatalog,
  type ServiceCatalog,
} from "../../functions/composition/service-catalog.ts";
import { CertflowStack } from "./certflow-stack.ts";
import { readDeploymentSettings } from "./deployment-settings.ts";

/** Every declared step, route and scheduled run: the functions the stack deploys. */
export const SERVICE_CATALOG: ServiceCatalog = await loadServiceCatalog();

export function buildApp(
  app: App = new App(),
  catalog: ServiceCatalog = SERVICE_CATALOG,
): { app: App; stack: CertflowStack } {
  const settings = readDeploymentSettings((key) => app.node.tryGetContext(key));
  const stack = new CertflowStack(app, settings.stackName, {
    settings,
    catalog,
    description: "certflow: TLS certificate ordering service",
    // Environment-agnostic unless the CLI knows the account (synth needs no credentials).
    env:
      process.env.CDK_DEFAULT_ACCOUNT === undefined
        ? undefined
        : { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.main) {
  buildApp().app.synth();
}
