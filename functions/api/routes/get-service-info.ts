import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute({
  name: "GetServiceInfo",
  method: "GET",
  path: "/v1/service-info",
  access: "public",
  needs: {},
  handle: async (deps) => jsonResponse(200, { ca: deps.caProfile.kind, ...deps.serviceInfo }),
});
