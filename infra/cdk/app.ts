// The CDK app (`npx cdk synth`, `npx cdk deploy --all`): one stack holding the whole service
// (its alarms and dashboard in a nested stack), and a second one for the web console.
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import {
  loadServiceCatalog,
  type ServiceCatalog,
} from "../../functions/composition/service-catalog.ts";
import { CertflowStack } from "./certflow-stack.ts";
import { ConsoleStack } from "./console-stack.ts";
import { readDeploymentSettings } from "./deployment-settings.ts";

/** Every declared step, route and scheduled run: the functions the stack deploys. */
export const SERVICE_CATALOG: ServiceCatalog = await loadServiceCatalog();

export function buildApp(
  app: App = new App(),
  catalog: ServiceCatalog = SERVICE_CATALOG,
  consoleBuildFolder?: string,
): { app: App; stack: CertflowStack; consoleStack: ConsoleStack } {
  const settings = readDeploymentSettings((key) => app.node.tryGetContext(key));
  // Environment-agnostic unless the CLI knows the account (synth needs no credentials).
  const env =
    process.env.CDK_DEFAULT_ACCOUNT === undefined
      ? undefined
      : { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stack = new CertflowStack(app, settings.stackName, {
    settings,
    catalog,
    description: "certflow: TLS certificate ordering service",
    env,
  });
  const consoleStack = new ConsoleStack(app, `${settings.stackName}Console`, {
    settings,
    api: stack.api.api,
    userPool: stack.api.userPool,
    ...(consoleBuildFolder !== undefined ? { buildFolder: consoleBuildFolder } : {}),
    description: "certflow: web console (CloudFront, S3, Cognito managed login)",
    env,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, consoleStack };
}

if (import.meta.main) {
  buildApp().app.synth();
}
