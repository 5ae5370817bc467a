import { SES_DEFAULT_MAX_SEND_RATE } from "../../functions/mail/mail-sending.ts";
import { RENEWAL_STARTS_PER_SECOND } from "../../functions/orders/renewal-run.ts";
import { CA_KINDS, type CaKind } from "../../functions/ports/certificate-authority.ts";

/**
 * What a deployment can be told, each from cdk.json context (`-c certflow:<key>=…` overrides
 * it) or, when the context leaves it empty, from an environment variable.
 */
export interface DeploymentSettings {
  readonly stackName: string;
  readonly ca: CaKind;
  readonly acmeDirectoryUrl?: string;
  /** Secrets Manager ARN of the CA's External Account Binding {"kid","hmacKey"}. */
  readonly acmeEabSecretArn?: string;
  /** The embedded CA's issuer domain name in CAA records. */
  readonly caaIdentity: string;
  /** An ACME CA's CAA issuer domain names, when its directory lists none. */
  readonly acmeCaaIdentities?: readonly string[];
  /**
   * The public base URL the embedded CA's CRL is served under (`<base>/v1/ca/crl`, named in
   * every certificate it issues); the API's URL when unset.
   */
  readonly crlBaseUrl?: string;
  /** How long each CRL the embedded CA signs is valid (it is re-signed daily). */
  readonly crlValiditySeconds: number;
  readonly senderAddress: string;
  /** Route 53 zone that dns-cname validation points customers' names at. */
  readonly delegationZone?: { readonly zoneName: string; readonly hostedZoneId: string };
  readonly alarmEmail?: string;
  /** The web console's Cognito prefix domain; derived from the stack name and account when unset. */
  readonly consoleDomainPrefix?: string;
  readonly renewalSchedule: boolean;
  readonly validationTimeoutSeconds: number;
  readonly caDecisionTimeoutSeconds: number;
  readonly logRetentionDays: number;
  readonly apiThrottleRateLimit: number;
  readonly apiThrottleBurstLimit: number;
  /** Renewals the renewal run starts per second, all its workers together (README, "Scale"). */
  readonly renewalStartsPerSecond: number;
  /**
   * Mails SES takes from the account per second (its production default; a deployment raises it
   * to its account's quota): the mail queue's senders keep under it together (README, "Scale").
   */
  readonly sesMaxSendRate: number;
  /**
   * Concurrency reserved for each function of the order workflow, so API traffic cannot starve
   * orders in flight; 0 (the default) reserves none — new AWS accounts have a quota of 10.
   */
  readonly workflowReservedConcurrency: number;
  /** Orders one tenant may submit per minute; more answer 429 with Retry-After. */
  readonly submissionsPerMinute: number;
  /** Shortest time between two customer checks (POST /checks) of one order. */
  readonly customerCheckIntervalSeconds: number;
  /** Shortest time between two resends of an order's approval mails. */
  readonly approvalResendIntervalSeconds: number;
  /** How long an OV/EV organization review may take before the order fails. */
  readonly reviewTimeoutSeconds: number;
  /**
   * After a renewal, how long customers have to install the new certificate before a server
   * still serving the old one is mailed about.
   */
  readonly installationGraceSeconds: number;
  /** Where a certificate order should be by now, in seconds per transient status. */
  readonly stuckAfterSeconds: {
    readonly SUBMITTED: number;
    readonly PENDING_VALIDATION: number;
    readonly ISSUING: number;
  };
}

/** Context key → environment variable consulted when the context value is empty. */
export const SETTING_SOURCES = {
  stackName: ["certflow:stackName", "CERTFLOW_STACK_NAME"],
  ca: ["certflow:ca", "CERTFLOW_CA"],
  acmeDirectoryUrl: ["certflow:acmeDirectoryUrl", "CERTFLOW_ACME_DIRECTORY_URL"],
  acmeEabSecretArn: ["certflow:acmeEabSecretArn", "CERTFLOW_ACME_EAB_SECRET_ARN"],
  caaIdentity: ["certflow:caaIdentity", "CERTFLOW_CAA_IDENTITY"],
  acmeCaaIdentities: ["certflow:acmeCaaIdentities", "CERTFLOW_ACME_CAA_IDENTITIES"],
  crlBaseUrl: ["certflow:crlBaseUrl", "CERTFLOW_CRL_BASE_URL"],
  crlValiditySeconds: ["certflow:crlValiditySeconds", "CERTFLOW_CRL_VALIDITY_SECONDS"],
  senderAddress: ["certflow:senderAddress", "CERTFLOW_SENDER_ADDRESS"],
  delegationZoneName: ["certflow:delegationZoneName", "CERTFLOW_DELEGATION_ZONE_NAME"],
  delegationHostedZoneId: ["certflow:delegationHostedZoneId", "CERTFLOW_DELEGATION_HOSTED_ZONE_ID"],
  alarmEmail: ["certflow:alarmEmail", "CERTFLOW_ALARM_EMAIL"],
  consoleDomainPrefix: ["certflow:consoleDomainPrefix", "CERTFLOW_CONSOLE_DOMAIN_PREFIX"],
  renewalSchedule: ["certflow:renewalSchedule", "CERTFLOW_RENEWAL_SCHEDULE"],
  validationTimeoutSeconds: [
    "certflow:validationTimeoutSeconds",
    "CERTFLOW_VALIDATION_TIMEOUT_SECONDS",
  ],
  caDecisionTimeoutSeconds: [
    "certflow:caDecisionTimeoutSeconds",
    "CERTFLOW_CA_DECISION_TIMEOUT_SECONDS",
  ],
  logRetentionDays: ["certflow:logRetentionDays", "CERTFLOW_LOG_RETENTION_DAYS"],
  apiThrottleRateLimit: ["certflow:apiThrottleRateLimit", "CERTFLOW_API_THROTTLE_RATE_LIMIT"],
  apiThrottleBurstLimit: ["certflow:apiThrottleBurstLimit", "CERTFLOW_API_THROTTLE_BURST_LIMIT"],
  renewalStartsPerSecond: ["certflow:renewalStartsPerSecond", "CERTFLOW_RENEWAL_STARTS_PER_SECOND"],
  sesMaxSendRate: ["certflow:sesMaxSendRate", "CERTFLOW_SES_MAX_SEND_RATE"],
  workflowReservedConcurrency: [
    "certflow:workflowReservedConcurrency",
    "CERTFLOW_WORKFLOW_RESERVED_CONCURRENCY",
  ],
  submissionsPerMinute: ["certflow:submissionsPerMinute", "CERTFLOW_SUBMISSIONS_PER_MINUTE"],
  customerCheckIntervalSeconds: [
    "certflow:customerCheckIntervalSeconds",
    "CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS",
  ],
  approvalResendIntervalSeconds: [
    "certflow:approvalResendIntervalSeconds",
    "CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS",
  ],
  reviewTimeoutSeconds: ["certflow:reviewTimeoutSeconds", "CERTFLOW_REVIEW_TIMEOUT_SECONDS"],
  installationGraceSeconds: [
    "certflow:installationGraceSeconds",
    "CERTFLOW_INSTALLATION_GRACE_SECONDS",
  ],
} as const;

export class InvalidSetting extends Error {
  override readonly name = "InvalidSetting";
}

type Lookup = (contextKey: string) => unknown;

/** Reads the settings; `context` is usually `(key) => app.node.tryGetContext(key)`. */
export function readDeploymentSettings(
  context: Lookup,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DeploymentSettings {
  const text = (source: readonly [string, string]): string | undefined => {
    const fromContext = context(source[0]);
    const value =
      fromContext === undefined || fromContext === null || fromContext === ""
        ? env[source[1]]
        : String(fromContext);
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  const whole = (source: readonly [string, string], fallback: number, min = 1): number => {
    const raw = text(source);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new InvalidSetting(`${source[0]} must be a whole number ≥ ${min}, got ${raw}.`);
    }
    return value;
  };
  const arn = (source: readonly [string, string], service: string) => {
    const value = text(source);
    if (value !== undefined && !new RegExp(`^arn:aws[a-z-]*:${service}:`).test(value)) {
      throw new InvalidSetting(`${source[0]} must be a ${service} ARN, got ${value}.`);
    }
    return value;
  };
  const S = SETTING_SOURCES;

  const ca = text(S.ca) ?? "embedded";
  if (!(CA_KINDS as readonly string[]).includes(ca)) {
    throw new InvalidSetting(`${S.ca[0]} must be one of ${CA_KINDS.join(", ")}, got ${ca}.`);
  }
  const acmeDirectoryUrl = text(S.acmeDirectoryUrl);
  if (acmeDirectoryUrl !== undefined && !/^https:\/\/\S+$/.test(acmeDirectoryUrl)) {
    throw new InvalidSetting(`${S.acmeDirectoryUrl[0]} must be an https URL.`);
  }
  if (ca === "acme" && acmeDirectoryUrl === undefined) {
    throw new InvalidSetting(`${S.ca[0]}=acme needs ${S.acmeDirectoryUrl[0]}.`);
  }
  const dnsName = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;
  const caaIdentity = (text(S.caaIdentity) ?? "certflow.internal").toLowerCase();
  if (!dnsName.test(caaIdentity)) {
    throw new InvalidSetting(`${S.caaIdentity[0]} must be a domain name, got ${caaIdentity}.`);
  }
  const acmeCaaIdentities = text(S.acmeCaaIdentities)
    ?.split(",")
    .map((name) => name.trim().toLowerCase());
  if (acmeCaaIdentities?.some((name) => !dnsName.test(name))) {
    throw new InvalidSetting(
      `${S.acmeCaaIdentities[0]} must be domain names separated by commas, e.g. letsencrypt.org.`,
    );
  }
  const crlBaseUrl = text(S.crlBaseUrl)?.replace(/\/+$/, "");
  if (crlBaseUrl !== undefined && !/^https?:\/\/[\x21-\x7e]+$/.test(crlBaseUrl)) {
    throw new InvalidSetting(
      `${S.crlBaseUrl[0]} must be an http or https URL, e.g. http://pki.shop.example, got ${crlBaseUrl}.`,
    );
  }
  // Re-signed daily: a list valid for two days or more survives a missed run.
  const crlValiditySeconds = whole(S.crlValiditySeconds, 7 * 86_400, 2 * 86_400);
  const senderAddress = text(S.senderAddress);
  if (senderAddress === undefined || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(senderAddress)) {
    throw new InvalidSetting(
      `${S.senderAddress[0]} must be the address mails are sent from, got ${senderAddress ?? "nothing"}.`,
    );
  }
  const zoneName = text(S.delegationZoneName);
  const hostedZoneId = text(S.delegationHostedZoneId);
  if ((zoneName === undefined) !== (hostedZoneId === undefined)) {
    throw new InvalidSetting(
      `${S.delegationZoneName[0]} and ${S.delegationHostedZoneId[0]} go together: set both or neither.`,
    );
  }
  const consoleDomainPrefix = text(S.consoleDomainPrefix);
  if (
    consoleDomainPrefix !== undefined &&
    (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(consoleDomainPrefix) ||
      /aws|amazon|cognito/.test(consoleDomainPrefix))
  ) {
    throw new InvalidSetting(
      `${S.consoleDomainPrefix[0]} must be lowercase letters, digits and hyphens (at most 63, not naming aws, amazon or cognito), got ${consoleDomainPrefix}.`,
    );
  }
  const renewal = text(S.renewalSchedule) ?? "on";
  if (renewal !== "on" && renewal !== "off") {
    throw new InvalidSetting(`${S.renewalSchedule[0]} must be on or off, got ${renewal}.`);
  }
  const validationTimeoutSeconds = whole(S.validationTimeoutSeconds, 86_400, 60);
  const caDecisionTimeoutSeconds = whole(S.caDecisionTimeoutSeconds, 3_600, 60);
  const hour = 3_600;
  return {
    stackName: text(S.stackName) ?? "Certflow",
    ca: ca as CaKind,
    acmeDirectoryUrl,
    acmeEabSecretArn: arn(S.acmeEabSecretArn, "secretsmanager"),
    caaIdentity,
    ...(acmeCaaIdentities !== undefined ? { acmeCaaIdentities } : {}),
    ...(crlBaseUrl !== undefined ? { crlBaseUrl } : {}),
    crlValiditySeconds,
    senderAddress,
    delegationZone:
      zoneName === undefined || hostedZoneId === undefined
        ? undefined
        : { zoneName: zoneName.replace(/\.$/, ""), hostedZoneId },
    alarmEmail: text(S.alarmEmail),
    ...(consoleDomainPrefix !== undefined ? { consoleDomainPrefix } : {}),
    renewalSchedule: renewal === "on",
    validationTimeoutSeconds,
    caDecisionTimeoutSeconds,
    logRetentionDays: whole(S.logRetentionDays, 90),
    apiThrottleRateLimit: whole(S.apiThrottleRateLimit, 20),
    apiThrottleBurstLimit: whole(S.apiThrottleBurstLimit, 40),
    renewalStartsPerSecond: whole(S.renewalStartsPerSecond, RENEWAL_STARTS_PER_SECOND),
    sesMaxSendRate: whole(S.sesMaxSendRate, SES_DEFAULT_MAX_SEND_RATE),
    workflowReservedConcurrency: whole(S.workflowReservedConcurrency, 0, 0),
    submissionsPerMinute: whole(S.submissionsPerMinute, 600),
    customerCheckIntervalSeconds: whole(S.customerCheckIntervalSeconds, 5),
    approvalResendIntervalSeconds: whole(S.approvalResendIntervalSeconds, 300),
    reviewTimeoutSeconds: whole(S.reviewTimeoutSeconds, 7 * 86_400),
    installationGraceSeconds: whole(S.installationGraceSeconds, 3 * 86_400),
    stuckAfterSeconds: {
      SUBMITTED: 15 * 60,
      // The customer's publication window, then the CA's, then an hour of slack.
      PENDING_VALIDATION: validationTimeoutSeconds + caDecisionTimeoutSeconds + hour,
      ISSUING: caDecisionTimeoutSeconds + hour,
    },
  };
}
