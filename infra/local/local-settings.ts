import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { type CheckCadence, DEFAULT_CHECK_CADENCE } from "../../functions/domain/check-cadence.ts";
import { type ApiToken, localTokens } from "../../functions/local/local-token-file.ts";

export type { ApiToken } from "../../functions/local/local-token-file.ts";

/** How to reach an ACME CA (CERTFLOW_CA=acme). The EAB HMAC key is a secret: never print it. */
export interface AcmeSettings {
  readonly directoryUrl: string;
  readonly contactEmail?: string;
  readonly externalAccountBinding?: { readonly kid: string; readonly hmacKey: string };
  /** One binding per tenant (CERTFLOW_ACME_EAB_BY_TENANT); the one above serves the others. */
  readonly externalAccountBindingByTenant?: Readonly<
    Record<string, { readonly kid: string; readonly hmacKey: string }>
  >;
  /** Extra roots to trust for the ACME server's HTTPS (Pebble's), from CERTFLOW_ACME_CA_CERTS. */
  readonly trustedCaCertsPem?: string;
  readonly trustedCaCertsPath?: string;
  /** The CA's CAA issuer domain names when its directory lists none (CERTFLOW_ACME_CAA_IDENTITIES). */
  readonly caaIdentities?: readonly string[];
}

/**
 * The console's sign-in through an OpenID provider with Cognito's managed-login paths
 * (/oauth2/authorize, /oauth2/token, /logout) in place of the pasted token; the API then also
 * takes the ID tokens that provider signs for the console's client.
 */
export interface ConsoleSignInSettings {
  /** CERTFLOW_CONSOLE_SIGN_IN_URL: the provider's base URL, like a Cognito managed-login domain. */
  readonly baseUrl: string;
  /** CERTFLOW_CONSOLE_CLIENT_ID: the console's (public) app client. */
  readonly clientId: string;
  /** CERTFLOW_CONSOLE_ID_TOKEN_ISSUER: the ID tokens' `iss`, its JWKS under it; the base URL by default. */
  readonly issuer: string;
}

export interface LocalSettings {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly tokens: readonly ApiToken[];
  /** True when no CERTFLOW_API_TOKENS was given and tokens were generated for this run. */
  readonly generatedTokens: boolean;
  readonly ca: "embedded" | "acme";
  readonly acme?: AcmeSettings;
  /** Zone the dns-cname method points `_acme-challenge` names at. */
  readonly delegationZone: string;
  /** Management API of a pebble-challtestsrv serving the delegation zone, when one is used. */
  readonly delegationZoneApiUrl?: string;
  /** The embedded CA's issuer domain name in CAA records (CERTFLOW_CAA_IDENTITY). */
  readonly caaIdentity: string;
  /**
   * The public base URL the embedded CA's CRL is served under (CERTFLOW_CRL_BASE_URL); when
   * unset, CERTFLOW_PUBLIC_URL, else the URL the service listens at.
   */
  readonly crlBaseUrl?: string;
  /** How long each CRL the embedded CA signs is valid (CERTFLOW_CRL_VALIDITY_SECONDS). */
  readonly crlValiditySeconds: number;
  /**
   * How often the scheduled runs every deployment runs (the embedded CA's CRL refresh) run
   * here, from the start (CERTFLOW_SCHEDULE_INTERVAL_SECONDS); AWS runs them daily.
   */
  readonly scheduleIntervalSeconds: number;
  readonly dnsResolver?: string;
  /**
   * Port DNS checks ask the zone's authoritative name servers on (53 on the internet); local
   * tests and demos run theirs on loopback addresses at another port.
   */
  readonly dnsAuthoritativePort: number;
  readonly httpValidationPort: number;
  /** Port the installation check connects to (443 on the internet; a local test server elsewhere). */
  readonly installationCheckPort: number;
  /** HTTP file checks may connect to 127.0.0.1 / ::1 (and never to other non-public addresses). */
  readonly allowLoopbackChecks: boolean;
  readonly validationTimeoutSeconds: number;
  readonly checkCadence: CheckCadence;
  /** How long the CA may take to decide or issue (CERTFLOW_CA_DECISION_TIMEOUT_SECONDS). */
  readonly caDecisionTimeoutSeconds: number;
  readonly submissionsPerMinute: number;
  readonly customerCheckIntervalSeconds: number;
  readonly approvalResendIntervalSeconds: number;
  readonly reviewTimeoutSeconds: number;
  /** After a renewal, how long before a server still serving the old certificate is mailed about. */
  readonly installationGraceSeconds: number;
  /** How often the scheduled runs (the renewal run) run; 0: only when an operator asks. */
  readonly renewalIntervalSeconds: number;
  readonly mailFrom: string;
  readonly publicUrl: string;
  /**
   * Replaces every Retry interval of the state machine in the local engine (milliseconds), so
   * a test or a demo sees "CA unreachable, retried, given up" in seconds rather than minutes.
   */
  readonly retryIntervalMs?: number;
  /**
   * Pauses before the retries of a failed webhook delivery (CERTFLOW_WEBHOOK_RETRY_SECONDS), in
   * place of Standard Webhooks' schedule, so a test sees a retry in seconds.
   */
  readonly webhookRetryDelaysSeconds?: readonly number[];
  /** The console signs in through an OpenID provider instead of with a pasted token. */
  readonly consoleSignIn?: ConsoleSignInSettings;
}

const DNS_NAME = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

const positiveInteger = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`)
    .default(fallback);

const PORT_MESSAGE =
  "PORT must be a whole number from 0 to 65535 (0 picks a free port), e.g. PORT=3001 npm start";

const environmentSchema = z.object({
  PORT: z.coerce
    .number({ error: PORT_MESSAGE })
    .int(PORT_MESSAGE)
    .min(0, PORT_MESSAGE)
    .max(65_535, PORT_MESSAGE)
    .default(3000),
  CERTFLOW_HOST: z.literal("127.0.0.1").default("127.0.0.1"),
  CERTFLOW_DATA_DIR: z.string().default(".certflow"),
  CERTFLOW_API_TOKENS: z.string().optional(),
  CERTFLOW_CA: z.enum(["embedded", "acme"]).default("embedded"),
  CERTFLOW_ACME_DIRECTORY_URL: z
    .string()
    .url("CERTFLOW_ACME_DIRECTORY_URL must be the URL of the CA's ACME directory")
    .optional(),
  CERTFLOW_ACME_CONTACT_EMAIL: z
    .string()
    .email("CERTFLOW_ACME_CONTACT_EMAIL must be an email address")
    .optional(),
  CERTFLOW_ACME_EAB_KID: z.string().min(1).optional(),
  CERTFLOW_ACME_EAB_BY_TENANT: z.string().min(1).optional(),
  CERTFLOW_ACME_EAB_HMAC_KEY: z.string().min(1).optional(),
  CERTFLOW_ACME_CA_CERTS: z.string().min(1).optional(),
  CERTFLOW_DCV_DELEGATION_ZONE: z
    .string()
    .regex(
      /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
      "CERTFLOW_DCV_DELEGATION_ZONE must be a DNS zone name such as dcv.example.net",
    )
    .default("dcv.certflow.internal"),
  CERTFLOW_CAA_IDENTITY: z
    .string()
    .regex(DNS_NAME, "CERTFLOW_CAA_IDENTITY must be a domain name such as certflow.internal")
    .default("certflow.internal"),
  CERTFLOW_CRL_BASE_URL: z
    .string()
    .regex(
      /^https?:\/\/[\x21-\x7e]+$/,
      "CERTFLOW_CRL_BASE_URL must be an http or https URL, e.g. http://pki.example.test",
    )
    .optional(),
  CERTFLOW_CRL_VALIDITY_SECONDS: positiveInteger(
    "CERTFLOW_CRL_VALIDITY_SECONDS",
    7 * 86_400,
  ).refine(
    (seconds) => seconds >= 3_600,
    "CERTFLOW_CRL_VALIDITY_SECONDS must be at least 3600 (an hour)",
  ),
  CERTFLOW_SCHEDULE_INTERVAL_SECONDS: positiveInteger("CERTFLOW_SCHEDULE_INTERVAL_SECONDS", 86_400),
  CERTFLOW_ACME_CAA_IDENTITIES: z
    .string()
    .refine(
      (list) => list.split(",").every((name) => DNS_NAME.test(name.trim())),
      "CERTFLOW_ACME_CAA_IDENTITIES must be domain names separated by commas, e.g. letsencrypt.org",
    )
    .optional(),
  CERTFLOW_DNS_ZONE_API_URL: z
    .string()
    .url("CERTFLOW_DNS_ZONE_API_URL must be the URL of pebble-challtestsrv's management API")
    .optional(),
  CERTFLOW_DNS_RESOLVER: z
    .string()
    .regex(
      /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$/,
      "CERTFLOW_DNS_RESOLVER must be host:port, e.g. 127.0.0.1:8053",
    )
    .optional(),
  CERTFLOW_DNS_AUTHORITATIVE_PORT: positiveInteger("CERTFLOW_DNS_AUTHORITATIVE_PORT", 53).refine(
    (port) => port <= 65_535,
    "CERTFLOW_DNS_AUTHORITATIVE_PORT must be a port from 1 to 65535",
  ),
  CERTFLOW_HTTP_VALIDATION_PORT: positiveInteger("CERTFLOW_HTTP_VALIDATION_PORT", 80),
  CERTFLOW_INSTALLATION_CHECK_PORT: positiveInteger("CERTFLOW_INSTALLATION_CHECK_PORT", 443).refine(
    (port) => port <= 65_535,
    "CERTFLOW_INSTALLATION_CHECK_PORT must be a port from 1 to 65535",
  ),
  CERTFLOW_ALLOW_LOOPBACK_CHECKS: z
    .enum(["true", "false", "1", "0"], {
      error: "CERTFLOW_ALLOW_LOOPBACK_CHECKS must be true or false",
    })
    .default("true")
    .transform((value) => value === "true" || value === "1"),
  CERTFLOW_VALIDATION_TIMEOUT_SECONDS: positiveInteger(
    "CERTFLOW_VALIDATION_TIMEOUT_SECONDS",
    86_400,
  ),
  CERTFLOW_CHECK_EARLY_SECONDS: positiveInteger(
    "CERTFLOW_CHECK_EARLY_SECONDS",
    DEFAULT_CHECK_CADENCE.earlySeconds,
  ),
  CERTFLOW_CHECK_EARLY_PERIOD_SECONDS: positiveInteger(
    "CERTFLOW_CHECK_EARLY_PERIOD_SECONDS",
    DEFAULT_CHECK_CADENCE.earlyPeriodSeconds,
  ),
  CERTFLOW_CHECK_LATE_SECONDS: positiveInteger(
    "CERTFLOW_CHECK_LATE_SECONDS",
    DEFAULT_CHECK_CADENCE.lateSeconds,
  ),
  CERTFLOW_CA_DECISION_TIMEOUT_SECONDS: positiveInteger(
    "CERTFLOW_CA_DECISION_TIMEOUT_SECONDS",
    3_600,
  ),
  CERTFLOW_SUBMISSIONS_PER_MINUTE: positiveInteger("CERTFLOW_SUBMISSIONS_PER_MINUTE", 600),
  // 0 lets a script check as often as it likes (tests); the service's default is 5 s.
  CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: z.coerce
    .number({ error: "CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS must be a whole number" })
    .int("CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS must be a whole number")
    .min(0, "CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS must not be negative")
    .default(5),
  // 0 lets tests resend approval mails at once; the service's default is 5 minutes.
  CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS: z.coerce
    .number({ error: "CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS must be a whole number" })
    .int("CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS must be a whole number")
    .min(0, "CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS must not be negative")
    .default(300),
  CERTFLOW_REVIEW_TIMEOUT_SECONDS: positiveInteger("CERTFLOW_REVIEW_TIMEOUT_SECONDS", 7 * 86_400),
  CERTFLOW_INSTALLATION_GRACE_SECONDS: positiveInteger(
    "CERTFLOW_INSTALLATION_GRACE_SECONDS",
    3 * 86_400,
  ),
  // 0 switches the timer off: renewals then run when an operator asks (POST /v1/renewal-runs).
  CERTFLOW_RENEWAL_INTERVAL_SECONDS: z.coerce
    .number({ error: "CERTFLOW_RENEWAL_INTERVAL_SECONDS must be a whole number" })
    .int("CERTFLOW_RENEWAL_INTERVAL_SECONDS must be a whole number")
    .min(0, "CERTFLOW_RENEWAL_INTERVAL_SECONDS must not be negative")
    .default(3600),
  CERTFLOW_MAIL_FROM: z.string().default("certflow@localhost"),
  CERTFLOW_PUBLIC_URL: z.string().url().optional(),
  CERTFLOW_RETRY_INTERVAL_MS: z.coerce
    .number({ error: "CERTFLOW_RETRY_INTERVAL_MS must be a whole number of milliseconds" })
    .int("CERTFLOW_RETRY_INTERVAL_MS must be a whole number of milliseconds")
    .min(0, "CERTFLOW_RETRY_INTERVAL_MS must not be negative")
    .optional(),
  CERTFLOW_WEBHOOK_RETRY_SECONDS: z
    .string()
    .regex(
      /^\s*\d+(\s*,\s*\d+)*\s*$/,
      "CERTFLOW_WEBHOOK_RETRY_SECONDS must be whole numbers of seconds separated by commas, e.g. 5,300,1800",
    )
    .optional(),
  CERTFLOW_CONSOLE_SIGN_IN_URL: z
    .string()
    .regex(
      /^https?:\/\/[\x21-\x7e]+$/,
      "CERTFLOW_CONSOLE_SIGN_IN_URL must be the http(s) base URL of the sign-in, e.g. https://auth.example.test",
    )
    .optional(),
  CERTFLOW_CONSOLE_CLIENT_ID: z.string().min(1).default("certflow-console"),
  CERTFLOW_CONSOLE_ID_TOKEN_ISSUER: z
    .string()
    .regex(
      /^https?:\/\/[\x21-\x7e]+$/,
      "CERTFLOW_CONSOLE_ID_TOKEN_ISSUER must be the http(s) URL the ID tokens name as issuer",
    )
    .optional(),
});

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

export function parseApiTokens(text: string): ApiToken[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [token, tenantId, role, ...rest] = entry.split(":");
      if (
        token === undefined ||
        token.length < 8 ||
        tenantId === undefined ||
        tenantId === "" ||
        (role !== "customer" && role !== "operator") ||
        rest.length > 0
      ) {
        throw new SettingsError(
          `CERTFLOW_API_TOKENS entries look like token:tenant:role (role customer or operator, token at least 8 characters); got '${entry.split(":")[1] ?? "?"}' entry that does not fit.`,
        );
      }
      return { token, tenantId, role };
    });
}

export function readLocalSettings(environment: NodeJS.ProcessEnv): LocalSettings {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => issue.message).join("; "));
  }
  const env = parsed.data;
  if (env.CERTFLOW_CHECK_EARLY_SECONDS > env.CERTFLOW_CHECK_LATE_SECONDS) {
    throw new SettingsError(
      "CERTFLOW_CHECK_EARLY_SECONDS must not exceed CERTFLOW_CHECK_LATE_SECONDS.",
    );
  }
  if (env.CERTFLOW_CRL_VALIDITY_SECONDS < 2 * env.CERTFLOW_SCHEDULE_INTERVAL_SECONDS) {
    throw new SettingsError(
      "CERTFLOW_CRL_VALIDITY_SECONDS must be at least twice CERTFLOW_SCHEDULE_INTERVAL_SECONDS, so a CRL outlives a missed refresh.",
    );
  }
  const acme = env.CERTFLOW_CA === "acme" ? acmeSettings(env) : undefined;
  const given =
    env.CERTFLOW_API_TOKENS === undefined ? [] : parseApiTokens(env.CERTFLOW_API_TOKENS);
  const dataDir = resolve(env.CERTFLOW_DATA_DIR);
  const tokens = given.length > 0 ? given : localTokens(dataDir);
  return {
    port: env.PORT,
    host: env.CERTFLOW_HOST,
    dataDir,
    tokens,
    generatedTokens: given.length === 0,
    ca: env.CERTFLOW_CA,
    acme,
    delegationZone: env.CERTFLOW_DCV_DELEGATION_ZONE,
    delegationZoneApiUrl: env.CERTFLOW_DNS_ZONE_API_URL,
    caaIdentity: env.CERTFLOW_CAA_IDENTITY.toLowerCase(),
    crlBaseUrl: (env.CERTFLOW_CRL_BASE_URL ?? env.CERTFLOW_PUBLIC_URL)?.replace(/\/+$/, ""),
    crlValiditySeconds: env.CERTFLOW_CRL_VALIDITY_SECONDS,
    scheduleIntervalSeconds: env.CERTFLOW_SCHEDULE_INTERVAL_SECONDS,
    dnsResolver: env.CERTFLOW_DNS_RESOLVER,
    dnsAuthoritativePort: env.CERTFLOW_DNS_AUTHORITATIVE_PORT,
    httpValidationPort: env.CERTFLOW_HTTP_VALIDATION_PORT,
    installationCheckPort: env.CERTFLOW_INSTALLATION_CHECK_PORT,
    allowLoopbackChecks: env.CERTFLOW_ALLOW_LOOPBACK_CHECKS,
    validationTimeoutSeconds: env.CERTFLOW_VALIDATION_TIMEOUT_SECONDS,
    checkCadence: {
      earlySeconds: env.CERTFLOW_CHECK_EARLY_SECONDS,
      earlyPeriodSeconds: env.CERTFLOW_CHECK_EARLY_PERIOD_SECONDS,
      lateSeconds: env.CERTFLOW_CHECK_LATE_SECONDS,
    },
    caDecisionTimeoutSeconds: env.CERTFLOW_CA_DECISION_TIMEOUT_SECONDS,
    submissionsPerMinute: env.CERTFLOW_SUBMISSIONS_PER_MINUTE,
    customerCheckIntervalSeconds: env.CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS,
    approvalResendIntervalSeconds: env.CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS,
    reviewTimeoutSeconds: env.CERTFLOW_REVIEW_TIMEOUT_SECONDS,
    installationGraceSeconds: env.CERTFLOW_INSTALLATION_GRACE_SECONDS,
    renewalIntervalSeconds: env.CERTFLOW_RENEWAL_INTERVAL_SECONDS,
    mailFrom: env.CERTFLOW_MAIL_FROM,
    publicUrl: env.CERTFLOW_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`,
    retryIntervalMs: env.CERTFLOW_RETRY_INTERVAL_MS,
    webhookRetryDelaysSeconds: env.CERTFLOW_WEBHOOK_RETRY_SECONDS?.split(",").map(Number),
    consoleSignIn: consoleSignInOf(env),
  };
}

function consoleSignInOf(
  env: z.infer<typeof environmentSchema>,
): ConsoleSignInSettings | undefined {
  const baseUrl = env.CERTFLOW_CONSOLE_SIGN_IN_URL?.replace(/\/+$/, "");
  if (baseUrl === undefined) return undefined;
  return {
    baseUrl,
    clientId: env.CERTFLOW_CONSOLE_CLIENT_ID,
    issuer: env.CERTFLOW_CONSOLE_ID_TOKEN_ISSUER?.replace(/\/+$/, "") ?? baseUrl,
  };
}

const EAB_BY_TENANT = z.record(
  z.string().min(1),
  z.strictObject({
    kid: z.string().min(1),
    hmacKey: z.string().regex(/^[A-Za-z0-9_-]+={0,2}$/),
  }),
);

/** CERTFLOW_ACME_EAB_BY_TENANT: {"<tenant>": {"kid": "...", "hmacKey": "..."}}, as JSON. */
export function bindingsByTenant(
  text: string | undefined,
): AcmeSettings["externalAccountBindingByTenant"] {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checked = EAB_BY_TENANT.safeParse(parsed);
  if (!checked.success) {
    // Never echo the value: it holds HMAC keys.
    throw new SettingsError(
      'CERTFLOW_ACME_EAB_BY_TENANT must be JSON {"<tenant>": {"kid": "...", "hmacKey": "<base64url>"}}.',
    );
  }
  return checked.data;
}

function acmeSettings(env: z.infer<typeof environmentSchema>): AcmeSettings {
  if (env.CERTFLOW_ACME_DIRECTORY_URL === undefined) {
    throw new SettingsError(
      "CERTFLOW_CA=acme needs CERTFLOW_ACME_DIRECTORY_URL, e.g. https://acme-staging-v02.api.letsencrypt.org/directory.",
    );
  }
  const kid = env.CERTFLOW_ACME_EAB_KID;
  const hmacKey = env.CERTFLOW_ACME_EAB_HMAC_KEY;
  if ((kid === undefined) !== (hmacKey === undefined)) {
    throw new SettingsError(
      "External account binding needs both CERTFLOW_ACME_EAB_KID and CERTFLOW_ACME_EAB_HMAC_KEY, or neither.",
    );
  }
  if (hmacKey !== undefined && !/^[A-Za-z0-9_-]+={0,2}$/.test(hmacKey)) {
    throw new SettingsError(
      "CERTFLOW_ACME_EAB_HMAC_KEY must be the base64url key the CA gave with the key id.",
    );
  }
  const path = env.CERTFLOW_ACME_CA_CERTS;
  let trustedCaCertsPem: string | undefined;
  if (path !== undefined) {
    try {
      trustedCaCertsPem = readFileSync(path, "utf8");
    } catch (error) {
      throw new SettingsError(
        `CERTFLOW_ACME_CA_CERTS: cannot read ${path} (${error instanceof Error && "code" in error ? error.code : "unreadable"}).`,
      );
    }
    if (!trustedCaCertsPem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new SettingsError(`CERTFLOW_ACME_CA_CERTS: ${path} holds no PEM certificate.`);
    }
  }
  return {
    directoryUrl: env.CERTFLOW_ACME_DIRECTORY_URL,
    contactEmail: env.CERTFLOW_ACME_CONTACT_EMAIL,
    externalAccountBinding:
      kid !== undefined && hmacKey !== undefined ? { kid, hmacKey } : undefined,
    externalAccountBindingByTenant: bindingsByTenant(env.CERTFLOW_ACME_EAB_BY_TENANT),
    trustedCaCertsPem,
    trustedCaCertsPath: path,
    caaIdentities: env.CERTFLOW_ACME_CAA_IDENTITIES?.split(",").map((name) =>
      name.trim().toLowerCase(),
    ),
  };
}
