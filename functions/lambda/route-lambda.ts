import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../api/api-types.ts";
import type { RouteDeclaration } from "../api/route-declaration.ts";
import { createApiHandler } from "./api-handler.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { withCognitoPrincipal } from "./cognito-principal.ts";

/**
 * The Lambda handler of a route's function. API Gateway routed the request already; the
 * principal comes from the Cognito claims it verified, in the shape the routes read.
 */
export function routeLambda(route: RouteDeclaration, providers: AwsProviders) {
  const api = createApiHandler(route, composeAws(providers));
  return (event: ApiEvent, context: Context): Promise<ApiResult> =>
    api(withCognitoPrincipal(event), context);
}
