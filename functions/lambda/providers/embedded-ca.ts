import { EmbeddedCertificateAuthority } from "../../adapters/embedded-ca/embedded-ca-authority.ts";
import type { CaParts } from "../../composition/composition.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import { AWS_ENVIRONMENT, type Environment, MissingSetting } from "../aws-environment.ts";

export function embedded(env: Environment, parts: CaParts): CertificateAuthority {
  return new EmbeddedCertificateAuthority({
    vault: parts.vault,
    dcv: parts.dcv,
    clock: parts.clock,
    cnameTargetZone: env[AWS_ENVIRONMENT.dnsCnameZone] || undefined,
    caaIdentity: env[AWS_ENVIRONMENT.caaIdentity] || undefined,
    // The CRL is served by the API (GET /v1/ca/crl) unless the deployment names another base.
    crlBaseUrl: env[AWS_ENVIRONMENT.crlBaseUrl] || env[AWS_ENVIRONMENT.publicApiUrl] || undefined,
    crlValiditySeconds: crlValiditySeconds(env),
  });
}

function crlValiditySeconds(env: Environment): number | undefined {
  const raw = env[AWS_ENVIRONMENT.crlValiditySeconds];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 3_600) {
    throw new MissingSetting(
      `${AWS_ENVIRONMENT.crlValiditySeconds} must be a whole number of seconds, at least 3600, got ${raw}.`,
    );
  }
  return value;
}
