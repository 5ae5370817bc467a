import { ApiError } from "../api-errors.ts";
import { declareRoute } from "../route-declaration.ts";

/**
 * The embedded CA's root certificate, for anyone to trust. It reads the copy the CA published
 * in the vault's public folder and nothing else: no CA key, no secret. An ACME CA hands out no
 * root here (404): its roots are the public ones.
 */
export const route = declareRoute(
  "GET /v1/ca/root.pem",
  { name: "GetCaRoot", access: "public", needs: { vaultRead: ["public"] } },
  async (deps) => {
    if (deps.caProfile.kind !== "embedded") {
      throw new ApiError(
        404,
        "NOT_FOUND",
        "This service orders from a public CA over ACME; trust that CA's published roots.",
      );
    }
    const root = await deps.vault.getPublishedCaRoot();
    if (root === undefined) {
      throw new ApiError(
        404,
        "NOT_FOUND",
        "The embedded CA has not made its root yet: it does so on the local service's start, and on AWS when the PrepareCa deploy task runs after the deployment.",
      );
    }
    return { statusCode: 200, headers: { "content-type": "application/x-pem-file" }, body: root };
  },
);
