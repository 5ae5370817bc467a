import { resolve } from "node:path";
import { z } from "zod";
import { localTokens } from "./local-tokens.ts";

export interface ApiToken {
  readonly token: string;
  readonly tenantId: string;
  readonly role: "customer" | "operator";
}

export interface LocalSettings {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly tokens: readonly ApiToken[];
  /** True when no CERTFLOW_API_TOKENS was given and tokens were generated for this run. */
  readonly generatedTokens: boolean;
  readonly ca: "embedded" | "acme";
  readonly dnsResolver?: string;
  readonly httpValidationPort: number;
  readonly validationTimeoutSeconds: number;
  readonly checkMinSeconds: number;
  readonly checkMaxSeconds: number;
  readonly mailFrom: string;
  readonly publicUrl: string;
}

const positiveInteger = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`)
    .default(fallback);

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  CERTFLOW_HOST: z.literal("127.0.0.1").default("127.0.0.1"),
  CERTFLOW_DATA_DIR: z.string().default(".certflow"),
  CERTFLOW_API_TOKENS: z.string().optional(),
  CERTFLOW_CA: z.enum(["embedded", "acme"]).default("embedded"),
  CERTFLOW_DNS_RESOLVER: z
    .string()
    .regex(
      /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d{1,5}$/,
      "CERTFLOW_DNS_RESOLVER must be host:port, e.g. 127.0.0.1:8053",
    )
    .optional(),
  CERTFLOW_HTTP_VALIDATION_PORT: positiveInteger("CERTFLOW_HTTP_VALIDATION_PORT", 80),
  CERTFLOW_VALIDATION_TIMEOUT_SECONDS: positiveInteger(
    "CERTFLOW_VALIDATION_TIMEOUT_SECONDS",
    86_400,
  ),
  CERTFLOW_CHECK_MIN_SECONDS: positiveInteger("CERTFLOW_CHECK_MIN_SECONDS", 30),
  CERTFLOW_CHECK_MAX_SECONDS: positiveInteger("CERTFLOW_CHECK_MAX_SECONDS", 3_600),
  CERTFLOW_MAIL_FROM: z.string().default("certflow@localhost"),
  CERTFLOW_PUBLIC_URL: z.string().url().optional(),
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
  if (env.CERTFLOW_CHECK_MIN_SECONDS > env.CERTFLOW_CHECK_MAX_SECONDS) {
    throw new SettingsError(
      "CERTFLOW_CHECK_MIN_SECONDS must not exceed CERTFLOW_CHECK_MAX_SECONDS.",
    );
  }
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
    dnsResolver: env.CERTFLOW_DNS_RESOLVER,
    httpValidationPort: env.CERTFLOW_HTTP_VALIDATION_PORT,
    validationTimeoutSeconds: env.CERTFLOW_VALIDATION_TIMEOUT_SECONDS,
    checkMinSeconds: env.CERTFLOW_CHECK_MIN_SECONDS,
    checkMaxSeconds: env.CERTFLOW_CHECK_MAX_SECONDS,
    mailFrom: env.CERTFLOW_MAIL_FROM,
    publicUrl: env.CERTFLOW_PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`,
  };
}
