import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { Needs } from "../composition/needs.ts";
import type { ScheduleDeclaration, ScheduledEvent } from "../schedules/schedule-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";

/** The Lambda handler of a scheduled run's function (invoked by EventBridge Scheduler). */
export function scheduleLambda<N extends Needs>(
  schedule: ScheduleDeclaration<N>,
  providers: AwsProviders,
) {
  const deps = composeAws(providers).dependenciesFor(schedule.needs);
  return middy<ScheduledEvent, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ schedule: schedule.name, scheduledTime: event.scheduledTime });
      return schedule.run(deps, event);
    });
}
