import { Route53Client } from "@aws-sdk/client-route-53";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ExternalAccountBinding } from "../../adapters/acme/acme-account.ts";
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

/**
 * Reads the External Account Binding from Secrets Manager when the ACME account is first needed
 * (never through the workflow's state). The secret holds JSON: {"kid": "...", "hmacKey": "..."}.
 */
export function secretsManagerExternalAccountBinding(
  client: Pick<SecretsManagerClient, "send">,
  secretArn: string,
): () => Promise<ExternalAccountBinding> {
  return async () => {
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.SecretString ?? "");
    } catch {
      parsed = undefined;
    }
    const { kid, hmacKey } = (parsed ?? {}) as { kid?: unknown; hmacKey?: unknown };
    if (typeof kid !== "string" || kid === "" || typeof hmacKey !== "string" || hmacKey === "") {
      // Never echo the secret: only what shape it should have.
      throw new MissingSetting(
        `The secret ${secretArn} must hold JSON {"kid": "...", "hmacKey": "..."} for the CA's external account binding.`,
      );
    }
    return { kid, hmacKey };
  };
}

/** The ACME CA from the deployment's settings (directory, contact, EAB secret, Route 53 zone). */
export function acme(env: Environment, { vault, clock }: CaParts): CertificateAuthority {
  const eabSecretArn = env[AWS_ENVIRONMENT.acmeEabSecretArn];
  const zoneName = env[AWS_ENVIRONMENT.dnsCnameZone];
  const hostedZoneId = env[AWS_ENVIRONMENT.dnsCnameHostedZoneId];
  return new AcmeCertificateAuthority({
    directoryUrl: requiredSetting(env, AWS_ENVIRONMENT.acmeDirectoryUrl),
    contactEmail: requiredSetting(env, AWS_ENVIRONMENT.acmeContactEmail),
    vault,
    now: () => clock.now(),
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
