import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { WorkflowDependencies } from "../workflow/workflow-dependencies.ts";
import { logger } from "./powertools.ts";

/**
 * The Lambda handler of one state-machine step. Dependencies come from the host's composition
 * module through `dependencies()`, resolved on first use so a test can pass fakes.
 */
export function createStepHandler(
  name: string,
  run: (deps: WorkflowDependencies, input: unknown) => Promise<unknown>,
  dependencies: () => Promise<WorkflowDependencies> | WorkflowDependencies,
) {
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const orderId =
        typeof event === "object" && event !== null && "orderId" in event
          ? event.orderId
          : undefined;
      logger.appendKeys({ step: name, orderId: typeof orderId === "string" ? orderId : undefined });
      try {
        const output = await run(await dependencies(), event);
        logger.info("step done");
        return output;
      } catch (error) {
        // Only the error's name and message: steps never put secrets in them.
        const failure = error instanceof Error ? error : new Error(String(error));
        logger.warn("step failed", { errorName: failure.name, errorMessage: failure.message });
        throw failure;
      }
    });
}
