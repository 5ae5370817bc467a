export interface ExecutionEvent {
  readonly timestamp: string;
  readonly type: string;
  readonly stateName?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface ExecutionDescription {
  readonly name: string;
  readonly status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly events: readonly ExecutionEvent[];
}

/** Starts and steers order executions: Step Functions on AWS, aws-local-stepfunctions locally. */
export interface WorkflowEngine {
  /** Starts an execution; refuses (ExecutionAlreadyExists) a name that was used before. */
  startExecution(name: string, input: Record<string, unknown>): Promise<void>;
  /**
   * Completes a waiting task (the task-token pattern), e.g. when a check passes early. Refuses
   * (TaskNotWaiting) a token whose task is no longer waiting.
   */
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
  /** Fails a waiting task with a named error, which its state's Catch routes; or TaskNotWaiting. */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  stopExecution(name: string, cause: string): Promise<void>;
  describeExecution(name: string): Promise<ExecutionDescription | undefined>;
}

export class ExecutionAlreadyExists extends Error {
  override readonly name = "ExecutionAlreadyExists";
}

/** The task a token was handed to has finished, timed out, or was woken by someone else. */
export class TaskNotWaiting extends Error {
  override readonly name = "TaskNotWaiting";
}
