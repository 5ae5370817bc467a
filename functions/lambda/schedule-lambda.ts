import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ScheduleDeclaration, ScheduledEvent } from "../schedules/schedule-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of a scheduled run's function (invoked by EventBridge Scheduler). */
export function scheduleLambda(schedule: ScheduleDeclaration, providers: AwsProviders) {
  const run = schedule.bind(composeAws(providers));
  return middy<ScheduledEvent, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ schedule: schedule.name, scheduledTime: event.scheduledTime });
      return run(event);
    });
}
