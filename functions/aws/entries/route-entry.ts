import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../../api/api-types.ts";
import { createApiHandler } from "../../handlers/api-handler.ts";
import { composeAws } from "../aws-composition.ts";
import { withCognitoPrincipal } from "../cognito-principal.ts";
import { loadRouteHandle } from "../route-handlers.ts";

/**
 * The Lambda entry of every API route on AWS; CERTFLOW_FUNCTION names the route. The principal
 * comes from the Cognito claims API Gateway verified, in the shape the routes read.
 */
const composition = await composeAws();
const handle = await loadRouteHandle();
if (handle === undefined) {
  throw new Error(
    `${composition.functionName} is not an API route: add it to functions/aws/route-handlers.ts.`,
  );
}
// API Gateway routed the request already: the handler needs only the route's name and code.
const api = createApiHandler(
  { name: composition.functionName, method: "GET", path: "", handle },
  () => composition.api,
);

export async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
  return api(withCognitoPrincipal(event), context);
}
