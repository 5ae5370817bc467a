import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ScheduleDeclaration, ScheduledEvent } from "../schedules/schedule-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";
import { publishRunMetrics } from "./schedule-metrics.ts";

/**
 * The Lambda handler of a scheduled run's function (invoked by EventBridge Scheduler). The
 * numbers the run answers with become metrics of the run (schedule-metrics.ts): operators
 * alarm on them.
 */
export function scheduleLambda(
  schedule: ScheduleDeclaration,
  providers: AwsProviders,
  metrics: Pick<Metrics, "addDimension" | "addMetric" | "publishStoredMetrics"> = new Metrics(),
) {
  const run = schedule.bind(composeAws(providers));
  return middy<ScheduledEvent, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      logger.appendKeys({ schedule: schedule.name, scheduledTime: event.scheduledTime });
      const result = await run(event);
      publishRunMetrics(metrics, schedule.name, result);
      return result;
    });
}
