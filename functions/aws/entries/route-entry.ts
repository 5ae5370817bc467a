import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../../api/api-types.ts";
import { API_ROUTES } from "../../api/route-table.ts";
import { createApiHandler } from "../../handlers/api-handler.ts";
import { composeAws } from "../aws-composition.ts";
import { withCognitoPrincipal } from "../cognito-principal.ts";

/**
 * The Lambda entry of every API route on AWS; CERTFLOW_FUNCTION names the route. The principal
 * comes from the Cognito claims API Gateway verified, in the shape the routes read.
 */
const composition = await composeAws();
const route = API_ROUTES.find((candidate) => candidate.name === composition.functionName);
if (route === undefined) throw new Error(`${composition.functionName} is not an API route.`);
const api = createApiHandler(route, () => composition.api);

export async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
  return api(withCognitoPrincipal(event), context);
}
