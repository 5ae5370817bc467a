import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../api/api-types.ts";
import type { RouteAccess, RouteDeclaration } from "../api/route-declaration.ts";
import type { Needs } from "../composition/needs.ts";
import { createApiHandler } from "./api-handler.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { withCognitoPrincipal } from "./cognito-principal.ts";

/**
 * The Lambda handler of a route's function. API Gateway routed the request already; the
 * principal comes from the Cognito claims it verified, in the shape the routes read.
 */
export function routeLambda<N extends Needs, Access extends RouteAccess, Body>(
  route: RouteDeclaration<N, Access, Body>,
  providers: AwsProviders,
) {
  const api = createApiHandler(route, composeAws(providers).dependenciesFor(route.needs));
  return (event: ApiEvent, context: Context): Promise<ApiResult> =>
    api(withCognitoPrincipal(event), context);
}
