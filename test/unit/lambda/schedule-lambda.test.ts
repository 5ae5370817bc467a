import { Metrics } from "@aws-lambda-powertools/metrics";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeLambdaContext } from "../../../functions/lambda/fake-lambda-context.ts";
import { scheduleLambda } from "../../../functions/lambda/schedule-lambda.ts";
import { declareSchedule } from "../../../functions/schedules/schedule-declaration.ts";

const lambda = mockClient(LambdaClient);
/** Powertools' Metrics with its embedded-metric lines dropped. */
const quietMetrics = Object.assign(
  new Metrics({ namespace: "certflow", serviceName: "certflow" }),
  {
    console: { log() {} },
  },
);

describe("a scheduled run's hand-off on Lambda", () => {
  beforeEach(() => {
    vi.stubEnv("CERTFLOW_PUBLIC_API_URL", "https://api.example/prod/");
  });
  afterEach(() => {
    lambda.reset();
    vi.unstubAllEnvs();
  });

  it("invokes its own function asynchronously once per part, the part in the event", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const handler = scheduleLambda(
      declareSchedule(
        { name: "CountThings", description: "counts things", hourUtc: 3, needs: {} },
        async (_deps, _event, host) => {
          await host?.handOff([{ shard: 0 }, { shard: 1, after: { orderId: "ord_1" } }]);
          return { handedOff: 2 };
        },
      ),
      {},
      quietMetrics,
    );
    const event = { source: "CountThings", scheduledTime: "2027-01-10T03:00:00Z" };

    // Act
    await handler(event, fakeLambdaContext("Certflow-CountThings"));

    // Assess
    const invocations = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    expect(
      invocations.map(({ FunctionName, InvocationType }) => [FunctionName, InvocationType]),
    ).toEqual([
      ["Certflow-CountThings", "Event"],
      ["Certflow-CountThings", "Event"],
    ]);
    expect(
      invocations.map(({ Payload }) => JSON.parse(new TextDecoder().decode(Payload as Uint8Array))),
    ).toEqual([
      { ...event, part: { shard: 0 } },
      { ...event, part: { shard: 1, after: { orderId: "ord_1" } } },
    ]);
  });

  it("fails the invocation when a hand-off is refused, so the run's error alarm goes off", async () => {
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const handler = scheduleLambda(
      declareSchedule(
        { name: "CountThings", description: "counts things", hourUtc: 3, needs: {} },
        async (_deps, _event, host) => host?.handOff([{ shard: 0 }]),
      ),
      {},
      quietMetrics,
    );

    await expect(
      handler(
        { source: "CountThings", scheduledTime: "2027-01-10T03:00:00Z" },
        fakeLambdaContext("F"),
      ),
    ).rejects.toThrow("denied");
  });
});
