import { EmbeddedCertificateAuthority } from "../../adapters/embedded-ca/embedded-ca-authority.ts";
import type { Clock } from "../../domain/clock.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import type { DcvChecker } from "../../ports/dcv-checker.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import { AWS_ENVIRONMENT, caKindOf, type Environment } from "../aws-environment.ts";
import { CaNotConfigured } from "../ca-facts.ts";

/** The CA the deployment chose with CERTFLOW_CA; the one place where a CA adapter is built. */
export function awsCertificateAuthority(
  env: Environment,
  parts: { vault: CertificateVault; dcv: DcvChecker; clock: Clock },
): CertificateAuthority {
  const kind = caKindOf(env);
  switch (kind) {
    case "embedded":
      return new EmbeddedCertificateAuthority({
        vault: parts.vault,
        dcv: parts.dcv,
        clock: parts.clock,
        cnameTargetZone: env[AWS_ENVIRONMENT.dnsCnameZone] || undefined,
      });
    case "acme":
      // The ACME adapter (functions/adapters/acme/) is built here. Its settings are already in
      // the environment: CERTFLOW_ACME_DIRECTORY_URL, CERTFLOW_ACME_EAB_SECRET_ARN (read with
      // secretsmanager:GetSecretValue at run time, never passed through the workflow), and for
      // dns-cname CERTFLOW_DNS_CNAME_ZONE / CERTFLOW_DNS_CNAME_HOSTED_ZONE_ID. The account key
      // belongs in the vault under ca/acme/.
      throw new CaNotConfigured(
        "CERTFLOW_CA=acme is not available in this build yet: deploy with the embedded CA.",
      );
    default: {
      const unknownKind: never = kind;
      throw new CaNotConfigured(`Unknown CA ${String(unknownKind)}.`);
    }
  }
}
