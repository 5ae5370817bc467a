import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../api/api-types.ts";
import { errorResponse } from "../api/responses.ts";
import { type RouteAccess, type RouteDeclaration, runRoute } from "../api/route-declaration.ts";
import type { DependenciesFor, Needs } from "../composition/needs.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of one API route; errors become {"error":{…}} answers, never traces. */
export function createApiHandler<N extends Needs, Access extends RouteAccess, Body>(
  route: RouteDeclaration<N, Access, Body>,
  dependencies: DependenciesFor<N>,
) {
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ route: route.name });
      try {
        return await runRoute(route, dependencies, event);
      } catch (error) {
        return errorResponse(error, (unexpected) =>
          logger.error("route failed", {
            errorName: unexpected instanceof Error ? unexpected.name : "unknown",
            errorMessage: unexpected instanceof Error ? unexpected.message : String(unexpected),
          }),
        );
      }
    });
}
