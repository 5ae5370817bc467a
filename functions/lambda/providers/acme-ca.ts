import { Route53Client } from "@aws-sdk/client-route-53";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type {
  ExternalAccountBinding,
  ExternalAccountBindingProvider,
} from "../../adapters/acme/acme-account.ts";
import { AcmeCertificateAuthority } from "../../adapters/acme/acme-certificate-authority.ts";
import { Route53DnsZone } from "../../adapters/aws/route53-dns-zone.ts";
import type { CaParts } from "../../composition/composition.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import {
  AWS_ENVIRONMENT,
  type Environment,
  MissingSetting,
  requiredSetting,
} from "../aws-environment.ts";

function bindingOf(value: unknown): ExternalAccountBinding | undefined {
  const { kid, hmacKey } = (value ?? {}) as { kid?: unknown; hmacKey?: unknown };
  return typeof kid === "string" && kid !== "" && typeof hmacKey === "string" && hmacKey !== ""
    ? { kid, hmacKey }
    : undefined;
}

/**
 * Reads the External Account Binding from Secrets Manager when a tenant's ACME account is first
 * needed (never through the workflow's state). The secret holds JSON: one binding for every
 * tenant, {"kid": "...", "hmacKey": "..."}, or one per tenant,
 * {"tenants": {"<tenant>": {"kid": "...", "hmacKey": "..."}}, "default"?: {...}}.
 */
export function secretsManagerExternalAccountBinding(
  client: Pick<SecretsManagerClient, "send">,
  secretArn: string,
): ExternalAccountBindingProvider {
  return async (tenantId) => {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.SecretString ?? "");
    } catch {
      parsed = undefined;
    }
    const record = (parsed ?? {}) as { tenants?: unknown; default?: unknown };
    if (typeof record.tenants === "object" && record.tenants !== null) {
      const perTenant = (record.tenants as Record<string, unknown>)[tenantId];
      const binding = bindingOf(Object.hasOwn(record.tenants, tenantId) ? perTenant : undefined);
      if (binding !== undefined) return binding;
      if (record.default === undefined) return undefined;
      const fallback = bindingOf(record.default);
      if (fallback !== undefined) return fallback;
    } else {
      const shared = bindingOf(parsed);
      if (shared !== undefined) return shared;
    }
    // Never echo the secret: only what shape it should have.
    throw new MissingSetting(
      `The secret ${secretArn} must hold JSON {"kid": "...", "hmacKey": "..."}, or {"tenants": {"<tenant>": {"kid": "...", "hmacKey": "..."}}} with an optional "default" binding, for the CA's external account binding.`,
    );
  };
}

/** The ACME CA from the deployment's settings (directory, contact, EAB secret, Route 53 zone). */
export function acme(env: Environment, { vault, clock }: CaParts): CertificateAuthority {
  const eabSecretArn = env[AWS_ENVIRONMENT.acmeEabSecretArn];
  const zoneName = env[AWS_ENVIRONMENT.dnsCnameZone];
  const hostedZoneId = env[AWS_ENVIRONMENT.dnsCnameHostedZoneId];
  const caaIdentities = env[AWS_ENVIRONMENT.acmeCaaIdentities];
  return new AcmeCertificateAuthority({
    directoryUrl: requiredSetting(env, AWS_ENVIRONMENT.acmeDirectoryUrl),
    contactEmail: requiredSetting(env, AWS_ENVIRONMENT.acmeContactEmail),
    vault,
    now: () => clock.now(),
    ...(caaIdentities
      ? { caaIdentities: caaIdentities.split(",").map((name) => name.trim()) }
      : {}),
    ...(eabSecretArn
      ? {
          externalAccountBinding: secretsManagerExternalAccountBinding(
            new SecretsManagerClient({}),
            eabSecretArn,
          ),
        }
      : {}),
    ...(zoneName && hostedZoneId
      ? {
          delegation: {
            zone: new Route53DnsZone({ client: new Route53Client({}), hostedZoneId }),
            zoneName,
          },
        }
      : {}),
  });
}
