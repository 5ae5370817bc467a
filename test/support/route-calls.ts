import type { ApiEvent, ApiResult } from "../../functions/api/api-types.ts";
import { errorResponse } from "../../functions/api/responses.ts";
import { matchRoute } from "../../functions/api/route-matching.ts";
import type { AllDependencies } from "../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import { everythingFrom } from "./declared-steps.ts";

const { routes } = await loadServiceCatalog();
const table = routes.map(({ declaration }) => ({
  method: declaration.method,
  path: declaration.path,
  declaration,
}));

export interface RouteCall {
  readonly body?: unknown;
  /** Sent as is instead of `body` (for bodies that are not JSON). */
  readonly rawBody?: string;
  /** null: no principal at all. */
  readonly tenant?: string | null;
  readonly role?: string;
  readonly headers?: Record<string, string>;
}

export interface RouteAnswer {
  readonly status: number;
  readonly json: any;
  readonly result: ApiResult;
}

/**
 * Calls a declared route in-process as the hosts do (match, check the caller and body, run),
 * with one dependency set for every route; errors become the answers the hosts send.
 */
export async function callRoute(
  deps: AllDependencies,
  method: string,
  path: string,
  options: RouteCall = {},
): Promise<RouteAnswer> {
  const [pathname = "", query = ""] = path.split("?");
  const match = matchRoute(table, method, pathname);
  if (match === undefined || "allowed" in match) throw new Error(`no route ${method} ${path}`);
  const event: ApiEvent = {
    httpMethod: method,
    path: pathname,
    pathParameters: match.pathParameters,
    queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
    headers: options.headers ?? {},
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    requestContext: {
      authorizer:
        options.tenant === null
          ? null
          : { tenantId: options.tenant ?? "tenant-a", role: options.role ?? "customer" },
    },
  };
  const result = await match.route.declaration
    .bind(everythingFrom(deps))(event)
    .catch((error: unknown) => errorResponse(error, () => undefined));
  return {
    status: result.statusCode,
    json: result.headers["content-type"]?.includes("json") ? JSON.parse(result.body) : undefined,
    result,
  };
}
