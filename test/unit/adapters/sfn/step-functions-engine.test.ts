import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  ExecutionAlreadyExists as SfnExecutionAlreadyExists,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createStepFunctionsEngine,
  executionArnFor,
} from "../../../../functions/adapters/sfn/step-functions-engine.ts";
import {
  ExecutionAlreadyExists,
  TaskNotWaiting,
} from "../../../../functions/ports/workflow-engine.ts";

const stateMachineArn = "arn:aws:states:eu-west-1:123456789012:stateMachine:certflow-order";
const sfn = mockClient(SFNClient);
const engine = createStepFunctionsEngine({ client: new SFNClient({}), stateMachineArn });

beforeEach(() => sfn.reset());

describe("the Step Functions workflow engine", () => {
  it("derives execution ARNs from the state machine ARN", () => {
    expect(executionArnFor(stateMachineArn, "ord_1-1")).toBe(
      "arn:aws:states:eu-west-1:123456789012:execution:certflow-order:ord_1-1",
    );
  });

  it("starts executions by name with the JSON input", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "x", startDate: new Date() });
    await engine.startExecution("ord_1-1", { orderId: "ord_1" });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn,
      name: "ord_1-1",
      input: '{"orderId":"ord_1"}',
    });
  });

  it("turns a duplicate start into ExecutionAlreadyExists", async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new SfnExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    await expect(engine.startExecution("ord_1-1", { orderId: "ord_1" })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
  });

  it("sends task success and stops executions", async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await engine.sendTaskSuccess("token-1", { reason: "checked" });
    await engine.stopExecution("ord_1-1", "cancelled");
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: "token-1",
      output: '{"reason":"checked"}',
    });
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input.executionArn).toMatch(
      /:execution:certflow-order:ord_1-1$/,
    );
  });

  it("fails a task by its token with a named error and cause", async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await engine.sendTaskFailure("token-2", "ValidationTimedOut", "The deadline passed.");
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: "token-2",
      error: "ValidationTimedOut",
      cause: "The deadline passed.",
    });
  });

  it("answers TaskNotWaiting for a token whose task no longer waits, and passes other errors on", async () => {
    for (const refusal of [
      new TaskTimedOut({ message: "timed out", $metadata: {} }),
      new TaskDoesNotExist({ message: "gone", $metadata: {} }),
      new InvalidToken({ message: "invalid", $metadata: {} }),
    ]) {
      sfn.reset();
      sfn.on(SendTaskSuccessCommand).rejects(refusal);
      sfn.on(SendTaskFailureCommand).rejects(refusal);
      await expect(engine.sendTaskSuccess("t", {})).rejects.toBeInstanceOf(TaskNotWaiting);
      await expect(engine.sendTaskFailure("t", "E", "c")).rejects.toBeInstanceOf(TaskNotWaiting);
    }
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).rejects(new Error("throttled"));
    await expect(engine.sendTaskSuccess("t", {})).rejects.toThrow("throttled");
  });

  it("answers tokens without knowing the state machine (a step's function is not told it)", async () => {
    const tokensOnly = createStepFunctionsEngine({
      client: new SFNClient({}),
      stateMachineArn: () => {
        throw new Error("CERTFLOW_STATE_MACHINE_ARN is not set");
      },
    });
    sfn.on(SendTaskSuccessCommand).resolves({});
    await tokensOnly.sendTaskSuccess("token-3", { done: true });
    await expect(tokensOnly.startExecution("ord_1-1", {})).rejects.toThrow(
      "CERTFLOW_STATE_MACHINE_ARN is not set",
    );
  });

  it("describes an execution with every page of its history", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: "FAILED",
      startDate: new Date("2026-11-23T10:00:00Z"),
      stopDate: new Date("2026-11-23T10:05:00Z"),
    });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          {
            id: 1,
            type: "TaskStateEntered",
            timestamp: new Date("2026-11-23T10:00:01Z"),
            stateEnteredEventDetails: { name: "RecordOrder", input: '{"orderId":"ord_1"}' },
          },
        ],
        nextToken: "page-2",
      })
      .resolvesOnce({
        events: [
          {
            id: 2,
            type: "ExecutionFailed",
            timestamp: new Date("2026-11-23T10:05:00Z"),
            executionFailedEventDetails: { error: "OrderFailed", cause: "see order" },
          },
        ],
      });
    const description = await engine.describeExecution("ord_1-1");
    expect(description?.status).toBe("FAILED");
    expect(description?.events).toEqual([
      expect.objectContaining({
        type: "TaskStateEntered",
        stateName: "RecordOrder",
        input: { orderId: "ord_1" },
      }),
      expect.objectContaining({
        type: "ExecutionFailed",
        error: "OrderFailed",
        cause: "see order",
      }),
    ]);
  });

  it("answers undefined for an unknown execution", async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: "no", $metadata: {} }));
    expect(await engine.describeExecution("ord_9-1")).toBeUndefined();
  });
});
