import type { Clock } from "../../domain/clock.ts";
import type { CertificateAuthority } from "../../ports/certificate-authority.ts";
import type { DcvChecker } from "../../ports/dcv-checker.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";
import { AWS_ENVIRONMENT, caKindOf, type Environment } from "../aws-environment.ts";
import { CaNotConfigured } from "../ca-facts.ts";

/**
 * The CA the deployment chose with CERTFLOW_CA; the one place where a CA adapter is built.
 * Bundles are built for one CA kind (CERTFLOW_BUNDLED_CA, an esbuild constant), so a function
 * carries only that adapter: acme-client and its HTTP stack stay out of embedded-CA builds.
 */
export async function awsCertificateAuthority(
  env: Environment,
  parts: { vault: CertificateVault; dcv: DcvChecker; clock: Clock },
): Promise<CertificateAuthority> {
  const kind = caKindOf(env);
  switch (kind) {
    case "embedded": {
      if (process.env.CERTFLOW_BUNDLED_CA !== "acme") {
        const { EmbeddedCertificateAuthority } = await import(
          "../../adapters/embedded-ca/embedded-ca-authority.ts"
        );
        return new EmbeddedCertificateAuthority({
          vault: parts.vault,
          dcv: parts.dcv,
          clock: parts.clock,
          cnameTargetZone: env[AWS_ENVIRONMENT.dnsCnameZone] || undefined,
        });
      }
      throw new CaNotConfigured("This function was built for the ACME CA: deploy again.");
    }
    case "acme": {
      if (process.env.CERTFLOW_BUNDLED_CA !== "embedded") {
        const { awsAcmeAuthority } = await import("./acme-certificate-authority.ts");
        return awsAcmeAuthority(env, parts.vault, parts.clock);
      }
      throw new CaNotConfigured("This function was built for the embedded CA: deploy again.");
    }
    default: {
      const unknownKind: never = kind;
      throw new CaNotConfigured(`Unknown CA ${String(unknownKind)}.`);
    }
  }
}
