import { notFound } from "../api-errors.ts";
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
    const root =
      deps.caProfile.kind === "embedded" ? await deps.vault.getPublishedCaRoot() : undefined;
    if (root === undefined) throw notFound("A root certificate for this CA");
    return { statusCode: 200, headers: { "content-type": "application/x-pem-file" }, body: root };
  },
);
