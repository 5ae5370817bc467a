import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/**
 * The OpenAPI 3.1 document of this API, as `npm run openapi` wrote it from the route table
 * (openapi.json, bundled with the function); a unit test fails when that file is not what the
 * routes' declarations make. It is read on the first request, not as the function starts: its
 * 140 kB are compiled only by a function that is asked for it.
 */
export const route = declareRoute(
  "GET /v1/openapi.json",
  { name: "GetOpenApi", access: "public", needs: {} },
  async () => {
    const { default: document } = await import("../../../openapi.json", { with: { type: "json" } });
    return jsonResponse(200, document, { "cache-control": "public, max-age=300" });
  },
);
