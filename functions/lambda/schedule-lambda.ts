import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import type { ScheduleDeclaration, ScheduledEvent } from "../schedules/schedule-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { logger } from "./powertools.ts";
import { publishRunMetrics } from "./schedule-metrics.ts";

/** Invokes a function asynchronously (InvocationType Event) with a JSON payload. */
export type InvokeAsync = (functionName: string, payload: ScheduledEvent) => Promise<void>;

/**
 * Lambda's own invoke, with its SDK package loaded on the first hand-off (most runs hand none
 * on: the CRL's refresh never does).
 */
function lambdaInvokeAsync(): InvokeAsync {
  let client: Promise<(name: string, payload: ScheduledEvent) => Promise<void>> | undefined;
  return async (functionName, payload) => {
    client ??= import("@aws-sdk/client-lambda").then(({ LambdaClient, InvokeCommand }) => {
      const lambda = new LambdaClient({});
      return async (name, body) => {
        await lambda.send(
          new InvokeCommand({
            FunctionName: name,
            InvocationType: "Event",
            Payload: new TextEncoder().encode(JSON.stringify(body)),
          }),
        );
      };
    });
    await (await client)(functionName, payload);
  };
}

/**
 * The Lambda handler of a scheduled run's function (invoked by EventBridge Scheduler). The
 * numbers the run answers with become metrics of the run (schedule-metrics.ts): operators
 * alarm on them. A run that spreads over workers hands each part to this same function,
 * invoked again asynchronously with the part in its event; each invocation publishes its own
 * numbers, whose sums are the run's.
 */
export function scheduleLambda(
  schedule: ScheduleDeclaration,
  providers: AwsProviders,
  metrics: Pick<Metrics, "addDimension" | "addMetric" | "publishStoredMetrics"> = new Metrics(),
  invokeAsync: InvokeAsync = lambdaInvokeAsync(),
) {
  const run = schedule.bind(composeAws(providers));
  return middy<ScheduledEvent, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      logger.appendKeys({ schedule: schedule.name, scheduledTime: event.scheduledTime });
      const result = await run(event, {
        timeLeftMs: () => context.getRemainingTimeInMillis(),
        async handOff(parts) {
          for (const part of parts) {
            await invokeAsync(context.functionName, {
              source: event.source,
              scheduledTime: event.scheduledTime,
              part,
            });
          }
        },
      });
      publishRunMetrics(metrics, schedule.name, result);
      return result;
    });
}
