import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { DependencySource } from "../composition/needs.ts";
import type { StepDeclaration } from "../workflow/step-declaration.ts";
import { logger } from "./powertools.ts";

/**
 * The Lambda handler of one state-machine step, as both hosts run it: the AWS host in its own
 * function, the local host in-process for each Task state. The step takes its dependencies
 * from `source`, as its needs name them.
 */
export function createStepHandler(step: StepDeclaration, source: DependencySource) {
  const run = step.bind(source);
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const orderId =
        typeof event === "object" && event !== null && "orderId" in event
          ? event.orderId
          : undefined;
      logger.appendKeys({
        step: step.state,
        orderId: typeof orderId === "string" ? orderId : undefined,
      });
      try {
        const output = await run(event);
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
