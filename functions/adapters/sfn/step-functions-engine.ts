import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  ExecutionAlreadyExists as SfnExecutionAlreadyExists,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import {
  ExecutionAlreadyExists,
  type ExecutionDescription,
  type ExecutionEvent,
  TaskNotWaiting,
  type WorkflowEngine,
} from "../../ports/workflow-engine.ts";

export interface StepFunctionsEngineOptions {
  readonly client: SFNClient;
  /** The machine's ARN, read when an action names the machine or an execution. */
  readonly stateMachineArn: string | (() => string);
}

/** Execution ARNs are the state machine ARN with `stateMachine` → `execution` plus the name. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}

function toEvent(event: HistoryEvent): ExecutionEvent {
  const details =
    event.stateEnteredEventDetails ??
    event.stateExitedEventDetails ??
    event.executionStartedEventDetails ??
    event.executionSucceededEventDetails;
  const failure =
    event.executionFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.executionAbortedEventDetails;
  const stateName =
    event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? undefined;
  const parse = (text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return {
    timestamp: (event.timestamp ?? new Date(0)).toISOString(),
    type: event.type ?? "Unknown",
    stateName,
    input: details !== undefined && "input" in details ? parse(details.input) : undefined,
    output: details !== undefined && "output" in details ? parse(details.output) : undefined,
    error: failure?.error,
    cause: failure?.cause,
  };
}

/** What Step Functions answers for a token whose task no longer waits, as the port names it. */
async function answeringToken(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (
      error instanceof TaskTimedOut ||
      error instanceof TaskDoesNotExist ||
      error instanceof InvalidToken
    ) {
      throw new TaskNotWaiting(error.message);
    }
    throw error;
  }
}

/** The workflow engine on AWS: Step Functions standard workflows through the SDK. */
export function createStepFunctionsEngine(options: StepFunctionsEngineOptions): WorkflowEngine {
  const { client } = options;
  const machineArn = () =>
    typeof options.stateMachineArn === "string"
      ? options.stateMachineArn
      : options.stateMachineArn();
  return {
    async startExecution(name, input) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn: machineArn(),
            name,
            input: JSON.stringify(input),
          }),
        );
      } catch (error) {
        if (error instanceof SfnExecutionAlreadyExists) {
          throw new ExecutionAlreadyExists(`Execution ${name} already exists.`);
        }
        throw error;
      }
    },
    async sendTaskSuccess(taskToken, output) {
      await answeringToken(() =>
        client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
      );
    },
    async sendTaskFailure(taskToken, error, cause) {
      await answeringToken(() =>
        client.send(new SendTaskFailureCommand({ taskToken, error, cause })),
      );
    },
    async stopExecution(name, cause) {
      await client.send(
        new StopExecutionCommand({
          executionArn: executionArnFor(machineArn(), name),
          cause,
        }),
      );
    },
    async describeExecution(name): Promise<ExecutionDescription | undefined> {
      const executionArn = executionArnFor(machineArn(), name);
      try {
        const described = await client.send(new DescribeExecutionCommand({ executionArn }));
        const events: ExecutionEvent[] = [];
        let nextToken: string | undefined;
        do {
          const page = await client.send(
            new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
          );
          events.push(...(page.events ?? []).map(toEvent));
          nextToken = page.nextToken;
        } while (nextToken !== undefined);
        return {
          name,
          status: described.status ?? "RUNNING",
          startedAt: (described.startDate ?? new Date(0)).toISOString(),
          stoppedAt: described.stopDate?.toISOString(),
          events,
        } as ExecutionDescription;
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
    },
  };
}
