import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ApiEvent, ApiResult } from "../api/api-types.ts";
import { errorResponse } from "../api/responses.ts";
import type { RouteDeclaration } from "../api/route-declaration.ts";
import type { DependencySource } from "../composition/needs.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of one API route; errors become {"error":{…}} answers, never traces. */
export function createApiHandler(route: RouteDeclaration, source: DependencySource) {
  const handle = route.bind(source);
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ route: route.name });
      try {
        return await handle(event);
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
