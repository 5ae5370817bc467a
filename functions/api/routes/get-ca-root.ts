import { notFound } from "../api-errors.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/ca/root.pem",
  { name: "GetCaRoot", access: "public", needs: { ca: true } },
  async (deps) => {
    const root = await deps.ca.rootCertificatePem();
    if (root === undefined) throw notFound("A root certificate for this CA");
    return { statusCode: 200, headers: { "content-type": "application/x-pem-file" }, body: root };
  },
);
