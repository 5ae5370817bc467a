import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ApiDependencies } from "../api/api-dependencies.ts";
import type { ApiEvent, ApiResult } from "../api/api-types.ts";
import { errorResponse } from "../api/responses.ts";
import type { ApiRoute } from "../api/route-table.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of one API route; errors become {"error":{…}} answers, never traces. */
export function createApiHandler(
  route: ApiRoute,
  dependencies: () => Promise<ApiDependencies> | ApiDependencies,
) {
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ route: route.name });
      try {
        return await route.handle(await dependencies(), event);
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
