import { DEFAULT_CHECK_CADENCE, SHORTEST_WAIT_SECONDS } from "../domain/check-cadence.ts";
import { CA_KINDS, type CaKind } from "../ports/certificate-authority.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";

/**
 * The environment variables the CDK stack sets on every function, by name. The stack imports
 * these names, so a rename cannot leave one side behind.
 */
export const AWS_ENVIRONMENT = {
  tableName: "CERTFLOW_TABLE_NAME",
  bucketName: "CERTFLOW_BUCKET_NAME",
  kmsKeyId: "CERTFLOW_KMS_KEY_ID",
  masterSecretArn: "CERTFLOW_MASTER_SECRET_ARN",
  senderAddress: "CERTFLOW_SENDER",
  mailConfigurationSet: "CERTFLOW_MAIL_CONFIGURATION_SET",
  stateMachineArn: "CERTFLOW_STATE_MACHINE_ARN",
  deliveryQueueUrl: "CERTFLOW_DELIVERY_QUEUE_URL",
  mailQueueUrl: "CERTFLOW_MAIL_QUEUE_URL",
  sesMaxSendRate: "CERTFLOW_SES_MAX_SEND_RATE",
  mailSenders: "CERTFLOW_MAIL_SENDERS",
  publicApiUrl: "CERTFLOW_PUBLIC_API_URL",
  ca: "CERTFLOW_CA",
  acmeDirectoryUrl: "CERTFLOW_ACME_DIRECTORY_URL",
  acmeEabSecretArn: "CERTFLOW_ACME_EAB_SECRET_ARN",
  acmeContactEmail: "CERTFLOW_ACME_CONTACT_EMAIL",
  caaIdentity: "CERTFLOW_CAA_IDENTITY",
  crlBaseUrl: "CERTFLOW_CRL_BASE_URL",
  crlValiditySeconds: "CERTFLOW_CRL_VALIDITY_SECONDS",
  acmeCaaIdentities: "CERTFLOW_ACME_CAA_IDENTITIES",
  dnsCnameZone: "CERTFLOW_DNS_CNAME_ZONE",
  dnsCnameHostedZoneId: "CERTFLOW_DNS_CNAME_HOSTED_ZONE_ID",
  validationTimeoutSeconds: "CERTFLOW_VALIDATION_TIMEOUT_SECONDS",
  checkEarlySeconds: "CERTFLOW_CHECK_EARLY_SECONDS",
  checkEarlyPeriodSeconds: "CERTFLOW_CHECK_EARLY_PERIOD_SECONDS",
  checkLateSeconds: "CERTFLOW_CHECK_LATE_SECONDS",
  caPollMinSeconds: "CERTFLOW_CA_POLL_MIN_SECONDS",
  caPollMaxSeconds: "CERTFLOW_CA_POLL_MAX_SECONDS",
  caDecisionTimeoutSeconds: "CERTFLOW_CA_DECISION_TIMEOUT_SECONDS",
  submissionsPerMinute: "CERTFLOW_SUBMISSIONS_PER_MINUTE",
  customerCheckIntervalSeconds: "CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS",
  approvalResendIntervalSeconds: "CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS",
  reviewTimeoutSeconds: "CERTFLOW_REVIEW_TIMEOUT_SECONDS",
  installationGraceSeconds: "CERTFLOW_INSTALLATION_GRACE_SECONDS",
  renewalStartsPerSecond: "CERTFLOW_RENEWAL_STARTS_PER_SECOND",
  renewalBatchSize: "CERTFLOW_RENEWAL_BATCH_SIZE",
} as const;

export type Environment = Readonly<Record<string, string | undefined>>;

export class MissingSetting extends Error {
  override readonly name = "MissingSetting";
}

export function requiredSetting(env: Environment, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new MissingSetting(`${name} is not set: the deployment must provide it.`);
  }
  return value;
}

function positiveWhole(env: Environment, name: string, fallback: number, unit: string): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new MissingSetting(`${name} must be a positive whole number of ${unit}, got ${raw}.`);
  }
  return value;
}

const optionalWhole = (env: Environment, name: string, unit: string) =>
  env[name] === undefined || env[name] === "" ? undefined : positiveWhole(env, name, 1, unit);

const seconds = (env: Environment, name: string, fallback: number) =>
  positiveWhole(env, name, fallback, "seconds");

/** A wait loop's turn must outlast the function that checks in it (45 s on AWS). */
function atLeast(minimum: number, env: Environment, name: string, fallback: number): number {
  const value = seconds(env, name, fallback);
  if (value < minimum) {
    throw new MissingSetting(
      `${name} must be at least ${minimum} seconds on AWS (a turn of the wait outlasts its check), got ${value}.`,
    );
  }
  return value;
}

export function caKindOf(env: Environment): CaKind {
  const kind = env[AWS_ENVIRONMENT.ca] ?? "embedded";
  if (!(CA_KINDS as readonly string[]).includes(kind)) {
    throw new MissingSetting(`${AWS_ENVIRONMENT.ca} must be one of ${CA_KINDS.join(", ")}.`);
  }
  return kind as CaKind;
}

/** The workflow's timing, read from the environment (defaults match the local service). */
export function workflowSettingsFrom(env: Environment): WorkflowSettings {
  const names = AWS_ENVIRONMENT;
  return {
    validationTimeoutSeconds: seconds(env, names.validationTimeoutSeconds, 86_400),
    checkCadence: {
      earlySeconds: atLeast(
        SHORTEST_WAIT_SECONDS,
        env,
        names.checkEarlySeconds,
        DEFAULT_CHECK_CADENCE.earlySeconds,
      ),
      earlyPeriodSeconds: seconds(
        env,
        names.checkEarlyPeriodSeconds,
        DEFAULT_CHECK_CADENCE.earlyPeriodSeconds,
      ),
      lateSeconds: seconds(env, names.checkLateSeconds, DEFAULT_CHECK_CADENCE.lateSeconds),
    },
    caPollMinSeconds: seconds(env, names.caPollMinSeconds, 1),
    caPollMaxSeconds: seconds(env, names.caPollMaxSeconds, 60),
    caDecisionTimeoutSeconds: seconds(env, names.caDecisionTimeoutSeconds, 3_600),
    publicApiUrl: requiredSetting(env, names.publicApiUrl).replace(/\/+$/, ""),
    submissionsPerMinute: positiveWhole(env, names.submissionsPerMinute, 600, "submissions"),
    customerCheckIntervalSeconds: seconds(env, names.customerCheckIntervalSeconds, 5),
    approvalResendIntervalSeconds: seconds(env, names.approvalResendIntervalSeconds, 300),
    reviewTimeoutSeconds: seconds(env, names.reviewTimeoutSeconds, 7 * 86_400),
    installationGraceSeconds: seconds(env, names.installationGraceSeconds, 3 * 86_400),
    // Only the renewal run's function is given these; the run's own defaults serve elsewhere.
    renewalStartsPerSecond: optionalWhole(env, names.renewalStartsPerSecond, "starts a second"),
    renewalBatchSize: optionalWhole(env, names.renewalBatchSize, "orders"),
    // Only the mail queue's sender is given these.
    sesMaxSendRate: optionalWhole(env, names.sesMaxSendRate, "mails a second"),
    mailSenders: optionalWhole(env, names.mailSenders, "senders"),
  };
}
