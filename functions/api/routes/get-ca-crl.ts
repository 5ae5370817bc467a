import { ApiError } from "../api-errors.ts";
import { binaryResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/**
 * The embedded CA's certificate revocation list (DER), which every certificate it issues names
 * as its CRL distribution point. It reads the copy the CA published in the vault's public folder
 * and nothing else: no CA key, no secret (the CA re-signs it on each revocation and daily). An
 * ACME CA publishes its own CRLs (404 here).
 */
export const route = declareRoute(
  "GET /v1/ca/crl",
  { name: "GetCaCrl", access: "public", needs: { vaultRead: ["public"] } },
  async (deps) => {
    if (deps.caProfile.kind !== "embedded") {
      throw new ApiError(
        404,
        "NOT_FOUND",
        "This service orders from a public CA over ACME; its certificates name that CA's CRLs.",
      );
    }
    const crl = await deps.vault.getPublishedCrl();
    if (crl === undefined) {
      throw new ApiError(
        404,
        "NOT_FOUND",
        "The embedded CA has not published its CRL yet: it does so on the local service's start, and on AWS when the PrepareCa deploy task runs after the deployment.",
      );
    }
    return binaryResponse(crl, "application/pkix-crl", "certflow-ca.crl", "inline");
  },
);
