import { EmbeddedCertificateAuthority } from "../../adapters/embedded-ca/embedded-ca-authority.ts";
import type { CaParts } from "../../composition/composition.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import { AWS_ENVIRONMENT, type Environment } from "../aws-environment.ts";

export function embedded(env: Environment, parts: CaParts): CertificateAuthority {
  return new EmbeddedCertificateAuthority({
    vault: parts.vault,
    dcv: parts.dcv,
    clock: parts.clock,
    cnameTargetZone: env[AWS_ENVIRONMENT.dnsCnameZone] || undefined,
    caaIdentity: env[AWS_ENVIRONMENT.caaIdentity] || undefined,
  });
}
