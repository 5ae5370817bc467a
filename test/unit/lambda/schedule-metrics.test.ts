import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeLambdaContext } from "../../../functions/lambda/fake-lambda-context.ts";
import { scheduleLambda } from "../../../functions/lambda/schedule-lambda.ts";
import {
  publishRunMetrics,
  runMetricsOf,
  SCHEDULE_DIMENSION,
} from "../../../functions/lambda/schedule-metrics.ts";
import { declareSchedule } from "../../../functions/schedules/schedule-declaration.ts";

/** A real Powertools Metrics whose embedded-metric lines are kept instead of printed. */
function capturedMetrics() {
  const lines: Record<string, any>[] = [];
  const metrics = new Metrics({ namespace: "certflow", serviceName: "certflow" });
  Object.assign(metrics, {
    disabled: false,
    console: { log: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { metrics, lines };
}

describe("a scheduled run's result as metrics", () => {
  it("takes every finite number of the result, in seconds when its name ends in Seconds", () => {
    expect(
      runMetricsOf({
        due: 12,
        started: 10,
        failed: 2,
        nextUpdateInSeconds: -30,
        nextUpdate: "2027-01-17T01:59:00.000Z",
        published: true,
        crlNumber: Number.NaN,
        nested: { failed: 1 },
        list: [1, 2],
      }),
    ).toEqual([
      { name: "due", unit: MetricUnit.Count, value: 12 },
      { name: "started", unit: MetricUnit.Count, value: 10 },
      { name: "failed", unit: MetricUnit.Count, value: 2 },
      { name: "nextUpdateInSeconds", unit: MetricUnit.Seconds, value: -30 },
    ]);
    expect(runMetricsOf(undefined)).toEqual([]);
    expect(runMetricsOf(7)).toEqual([]);
    expect(runMetricsOf([1, 2])).toEqual([]);
  });

  it("is published once, as embedded metrics by service and Schedule, the dimensions the alarms name", () => {
    const { metrics, lines } = capturedMetrics();

    publishRunMetrics(metrics, "RenewDueCertificates", { due: 3, failed: 1, ca: "embedded" });
    publishRunMetrics(metrics, "RefreshCrl", { published: false });

    expect(lines).toHaveLength(1);
    const [line] = lines as [Record<string, any>];
    expect(line._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: "certflow",
        Dimensions: [["service", SCHEDULE_DIMENSION]],
        Metrics: [
          { Name: "due", Unit: "Count" },
          { Name: "failed", Unit: "Count" },
        ],
      },
    ]);
    expect(line).toMatchObject({
      service: "certflow",
      Schedule: "RenewDueCertificates",
      due: 3,
      failed: 1,
    });
  });

  it("names each run's own dimension, not the previous run's", () => {
    const { metrics, lines } = capturedMetrics();

    publishRunMetrics(metrics, "RenewDueCertificates", { failed: 0 });
    publishRunMetrics(metrics, "RefreshCrl", { nextUpdateInSeconds: 604_740 });

    expect(lines.map((line) => [line.Schedule, line._aws.CloudWatchMetrics[0].Metrics])).toEqual([
      ["RenewDueCertificates", [{ Name: "failed", Unit: "Count" }]],
      ["RefreshCrl", [{ Name: "nextUpdateInSeconds", Unit: "Seconds" }]],
    ]);
  });
});

describe("the scheduled run's Lambda handler", () => {
  // What the stack gives every function (composeAws reads it while the function starts).
  beforeEach(() => {
    vi.stubEnv("CERTFLOW_PUBLIC_API_URL", "https://api.example/prod/");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const event = { source: "CountThings", scheduledTime: "2027-01-10T03:00:00Z" };
  const declared = (run: () => Promise<unknown>) =>
    declareSchedule(
      { name: "CountThings", description: "counts things", hourUtc: 3, needs: {} },
      run,
    );

  it("answers the run's result and publishes its numbers as the run's metrics", async () => {
    const { metrics, lines } = capturedMetrics();
    const handler = scheduleLambda(
      declared(async () => ({ due: 2, failed: 1 })),
      {},
      metrics,
    );

    const result = await handler(event, fakeLambdaContext("CountThings"));

    expect(result).toEqual({ due: 2, failed: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Schedule: "CountThings", due: 2, failed: 1 });
  });

  it("hands each part a run hands on to its own function, invoked again with the part", async () => {
    const { metrics, lines } = capturedMetrics();
    const invoked: { name: string; payload: unknown }[] = [];
    const handler = scheduleLambda(
      declareSchedule(
        { name: "CountThings", description: "counts things", hourUtc: 3, needs: {} },
        async (_deps, received, host) => {
          if (received.part !== undefined) return { counted: 1 };
          await host?.handOff([{ shard: 0 }, { shard: 1 }]);
          return { handedOff: 2, timeLeft: host?.timeLeftMs() };
        },
      ),
      {},
      metrics,
      async (name, payload) => {
        invoked.push({ name, payload });
      },
    );
    const context = {
      ...fakeLambdaContext("Certflow-CountThings"),
      getRemainingTimeInMillis: () => 1234,
    };

    const result = await handler(event, context);
    const part = await handler({ ...event, part: { shard: 1 } }, context);

    expect(result).toEqual({ handedOff: 2, timeLeft: 1234 });
    expect(part).toEqual({ counted: 1 });
    expect(invoked).toEqual([
      { name: "Certflow-CountThings", payload: { ...event, part: { shard: 0 } } },
      { name: "Certflow-CountThings", payload: { ...event, part: { shard: 1 } } },
    ]);
    expect(lines.map((line) => [line.handedOff, line.counted])).toEqual([
      [2, undefined],
      [undefined, 1],
    ]);
  });

  it("publishes nothing for a run that failed: the function's Errors say so", async () => {
    const { metrics, lines } = capturedMetrics();
    const handler = scheduleLambda(
      declared(async () => {
        throw new Error("the store is down");
      }),
      {},
      metrics,
    );

    await expect(handler(event, fakeLambdaContext("CountThings"))).rejects.toThrow(
      "the store is down",
    );
    expect(lines).toEqual([]);
  });
});
