import type { CertificateAuthority } from "../ports/certificate-authority.ts";
import { caKindOf, type Environment } from "./aws-environment.ts";

export class CaNotConfigured extends Error {
  override readonly name = "CaNotConfigured";
}

/**
 * What functions that do not talk to the CA may know about it: its kind and audience. Every
 * CA operation fails with a clear error (such functions have no CA permissions either).
 */
export function caFacts(env: Environment, functionName: string): CertificateAuthority {
  const kind = caKindOf(env);
  const refuse = async (): Promise<never> => {
    throw new CaNotConfigured(
      `Function ${functionName} is not given the CA: declare it in infra/cdk/function-catalog.ts.`,
    );
  };
  return {
    kind,
    audience: kind === "acme" ? "public" : "private",
    placeOrder: refuse,
    requestValidation: refuse,
    validationProgress: refuse,
    finalize: refuse,
    certificateProgress: refuse,
    revoke: refuse,
    rootCertificatePem: refuse,
  };
}
