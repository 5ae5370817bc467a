import type {
  ExternalAccountBinding,
  ExternalAccountBindingProvider,
} from "../../adapters/acme/acme-account.ts";
import { AcmeCertificateAuthority } from "../../adapters/acme/acme-certificate-authority.ts";
import type { CaParts } from "../../composition/composition.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import type { DnsZone } from "../../ports/dns-zone.ts";
import {
  AWS_ENVIRONMENT,
  type Environment,
  MissingSetting,
  requiredSetting,
} from "../aws-environment.ts";
import {
  lazySecretsManagerClient,
  readSecretString,
  type SecretReader,
} from "./secrets-manager.ts";

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
  client: SecretReader,
  secretArn: string,
): ExternalAccountBindingProvider {
  return async (tenantId) => {
    const secretString = await readSecretString(client, secretArn);
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString ?? "");
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

/**
 * The delegation zone in Route 53. Route 53's SDK package and the adapter load with the zone's
 * first change, not when the function starts: only orders with delegated (dns-cname) names
 * write to the zone.
 */
export function route53DelegationZone(hostedZoneId: string): DnsZone {
  let zone: Promise<DnsZone> | undefined;
  const load = () => {
    zone ??= Promise.all([
      import("@aws-sdk/client-route-53"),
      import("../../adapters/aws/route53-dns-zone.ts"),
    ]).then(
      ([{ Route53Client }, { Route53DnsZone }]) =>
        new Route53DnsZone({ client: new Route53Client({}), hostedZoneId }),
    );
    return zone;
  };
  return {
    addTxt: async (fqdn, values) => (await load()).addTxt(fqdn, values),
    isLive: async (change) => (await load()).isLive(change),
    removeTxt: async (fqdn, values) => (await load()).removeTxt(fqdn, values),
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
            lazySecretsManagerClient(),
            eabSecretArn,
          ),
        }
      : {}),
    ...(zoneName && hostedZoneId
      ? {
          delegation: {
            zone: route53DelegationZone(hostedZoneId),
            zoneName,
          },
        }
      : {}),
  });
}
