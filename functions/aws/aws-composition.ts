import { randomBytes } from "node:crypto";
import type { ApiDependencies } from "../api/api-dependencies.ts";
import type { Clock } from "../domain/clock.ts";
import { logger } from "../handlers/powertools.ts";
import type { CertificateAuthority } from "../ports/certificate-authority.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowDependencies } from "../workflow/workflow-dependencies.ts";
import {
  AWS_ENVIRONMENT,
  type Environment,
  requiredSetting,
  workflowSettingsFrom,
} from "./aws-environment.ts";
import { caFacts } from "./ca-facts.ts";
import { notWired } from "./not-wired.ts";

export interface AwsComposition {
  readonly functionName: string;
  readonly workflow: WorkflowDependencies;
  readonly api: ApiDependencies;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * The AWS composition: builds the dependencies of one Lambda function from the environment the
 * stack set. Each resource is built only when the function's `CERTFLOW_USES_*` flag says so;
 * the others are stand-ins that fail clearly (a CA also needs the vault and the checks: the
 * stack sets those flags with it). Each flag is written out as `process.env.X` in its own
 * condition because the bundler replaces exactly those expressions with constants and drops
 * the imports behind a false one, so a function's bundle holds only the SDK clients it uses.
 */
export async function composeAws(
  env: Environment = process.env,
  clock: Clock = systemClock,
): Promise<AwsComposition> {
  const functionName = requiredSetting(env, AWS_ENVIRONMENT.functionName);
  const settings = workflowSettingsFrom(env);

  const store =
    process.env.CERTFLOW_USES_STORE === "yes"
      ? (await import("./wiring/order-store.ts")).awsOrderStore(env, clock)
      : notWired<OrderStore>("store", functionName);
  const vault =
    process.env.CERTFLOW_USES_VAULT === "yes"
      ? (await import("./wiring/vault.ts")).awsVault(env)
      : notWired<CertificateVault>("vault", functionName);
  const dcv =
    process.env.CERTFLOW_USES_DCV === "yes"
      ? (await import("./wiring/dcv.ts")).awsDcvChecker()
      : notWired<DcvChecker>("dcv", functionName);
  const mailer =
    process.env.CERTFLOW_USES_MAILER === "yes"
      ? (await import("./wiring/mailer.ts")).awsMailer(env)
      : notWired<Mailer>("mailer", functionName);
  const workflowEngine =
    process.env.CERTFLOW_USES_WORKFLOW === "yes"
      ? (await import("./wiring/workflow-engine.ts")).awsWorkflowEngine(env)
      : notWired<WorkflowEngine>("workflow", functionName);
  const ca: CertificateAuthority =
    process.env.CERTFLOW_USES_CA === "yes"
      ? await (await import("./wiring/certificate-authority.ts")).awsCertificateAuthority(env, {
          vault,
          dcv,
          clock,
        })
      : caFacts(env, functionName);

  const workflow: WorkflowDependencies = { clock, store, vault, mailer, ca, dcv, settings };
  const api: ApiDependencies = {
    clock,
    store,
    vault,
    workflow: workflowEngine,
    dcv,
    ca,
    settings,
    newOrderId: () => `ord_${randomBytes(10).toString("hex")}`,
    serviceInfo: {
      region: env.AWS_REGION,
      validationTimeoutSeconds: settings.validationTimeoutSeconds,
    },
    logError: (error) =>
      logger.error("unexpected error", {
        errorName: error instanceof Error ? error.name : "unknown",
        errorMessage: error instanceof Error ? error.message : String(error),
      }),
  };
  return { functionName, workflow, api };
}
