import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/service-info",
  { name: "GetServiceInfo", access: "public", needs: {} },
  async (deps) => jsonResponse(200, { ca: deps.caProfile.kind, ...deps.serviceInfo }),
);
