import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { DeployTaskDeclaration } from "../deploy/deploy-task-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of a deploy task's function (invoked by a CDK trigger after deploys). */
export function deployTaskLambda(task: DeployTaskDeclaration, providers: AwsProviders) {
  const run = task.bind(composeAws(providers));
  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async () => {
      logger.appendKeys({ deployTask: task.name });
      const result = await run();
      logger.info("deploy task done", { result });
      return result;
    });
}
