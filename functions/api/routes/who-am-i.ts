import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/** Who the token belongs to: the web console shows a customer's or an operator's screens by it. */
export const route = declareRoute(
  "GET /v1/whoami",
  { name: "WhoAmI", needs: {} },
  async (_deps, { principal }) =>
    jsonResponse(200, { tenantId: principal.tenantId, role: principal.role }),
);
