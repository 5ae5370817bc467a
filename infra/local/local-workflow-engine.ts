import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { StateMachine } from "aws-local-stepfunctions";
import {
  ExecutionAlreadyExists,
  type ExecutionDescription,
  type ExecutionEvent,
  type WorkflowEngine,
} from "../../functions/ports/workflow-engine.ts";
import { substitutePlaceholders } from "./workflow-definition.ts";
import { TaskTokenRegistry } from "./workflow-task-tokens.ts";

type TaskHandler = (input: unknown) => Promise<unknown>;

type EventLog =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer Log> ? Log : never;

/**
 * Real time, or simulated time (benchmarks): waits move the clock on at once through `advance`,
 * which may act as a person would during the wait (answer a task's token) and stop there.
 */
export type TimeMode =
  | { kind: "real" }
  | { kind: "simulated"; advance(seconds: number): void | Promise<void> };

export interface LocalExecutionDescription extends ExecutionDescription {
  /** States entered: what AWS bills a standard workflow for. */
  readonly transitions: number;
}

/** The cause of an execution that was running when its host crashed (found on the next start). */
const HOST_RESTARTED = "host restarted";
/** The cause of an execution that was running when its host was stopped (SIGTERM, Ctrl-C). */
const HOST_STOPPED = "host stopped";

interface ExecutionRecord {
  name: string;
  status: ExecutionDescription["status"];
  startedAt: string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
  /** Set once a later start has done what a stop of its host left undone (its final mail). */
  settledAfterStop?: boolean;
  events: ExecutionEvent[];
  transitions: number;
}

export interface LocalWorkflowEngine extends WorkflowEngine {
  describeExecution(name: string): Promise<LocalExecutionDescription | undefined>;
  waitForExecution(name: string): Promise<LocalExecutionDescription>;
  listExecutions(): LocalExecutionDescription[];
  /** Executions that were running when a previous process stopped. */
  interruptedExecutions(): readonly string[];
  /**
   * Executions that a stop of their host ended, this process's or an earlier one's, and that no
   * later start has settled yet (markStoppedExecutionSettled).
   */
  executionsStoppedWithHost(): string[];
  /** Records that what the stop left undone is done: the execution is not offered again. */
  markStoppedExecutionSettled(name: string): void;
  close(): Promise<void>;
}

type StateDefinition = Record<string, unknown>;

const TIMEOUT_FIELD = "localTimeoutSeconds";

/**
 * A running execution's new events reach its record on disk at most this long after they
 * happened, in one write: writing the whole record at every event cost more than the steps
 * themselves under load, and at 250 ms it was still the local host's largest own cost (9 % of
 * its main thread with 300 orders in flight). A crash loses at most this much of a running
 * execution's history; a restart goes by the order store, and the record still says RUNNING
 * (so ABORTED after it).
 */
const PERSIST_DELAY_MS = 1_000;

class ExecutionStopped extends Error {
  override readonly name = "ExecutionStopped";
}

class TaskHandlerMissing extends Error {
  override readonly name = "TaskHandlerMissing";
}

const textOf = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/**
 * Runs the state machine on aws-local-stepfunctions: each Task state calls its mapped handler,
 * `.waitForTaskToken` states park in a token registry until `sendTaskSuccess` or their timeout,
 * and every execution is recorded by name (kept on disk when `dataDir` is given).
 */
export function createLocalWorkflowEngine(options: {
  definition: Record<string, unknown>;
  taskHandlers: Record<string, TaskHandler>;
  dataDir?: string;
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number>;
  timeMode?: TimeMode;
  logger?: (line: string) => void;
}): LocalWorkflowEngine {
  const timeMode = options.timeMode ?? { kind: "real" };
  const original = substitutePlaceholders(options.definition);
  const states = original.States as Record<string, StateDefinition>;
  const localHandlers: Record<string, TaskHandler> = {};
  const tokens = new TaskTokenRegistry();
  /** Each execution's token prefix, and the token and timer of the task it has parked. */
  const executionToken = new Map<string, string>();
  const parked = new Map<string, { token: string; timer?: ReturnType<typeof setTimeout> }>();
  let entries = 0;

  // Steps in flight finish even when their execution is aborted, so close() waits for them
  // (a parked callback wait is not a step: it is released instead).
  const inFlight = new Set<Promise<unknown>>();
  const track =
    (handler: TaskHandler): TaskHandler =>
    (input) => {
      const running = handler(input);
      const settled = running.then(
        () => undefined,
        () => undefined,
      );
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      return running;
    };
  const definition = structuredClone(original) as Record<string, unknown>;
  const runStates = definition.States as Record<string, StateDefinition>;
  for (const [stateName, state] of Object.entries(states)) {
    if (state.Type === "Wait" && timeMode.kind === "simulated") {
      // A Wait in simulated time becomes a Task that moves the clock on at once.
      runStates[stateName] = {
        Type: "Task",
        Resource: `arn:aws:lambda:us-east-1:000000000000:function:SimulatedWait${stateName}`,
        Parameters:
          typeof state.SecondsPath === "string"
            ? { "seconds.$": state.SecondsPath }
            : { seconds: Number(state.Seconds ?? 0) },
        ResultPath: null,
        ...(state.End === true ? { End: true } : { Next: state.Next }),
      };
      localHandlers[stateName] = async (input) => {
        await timeMode.advance(Number((input as { seconds: number }).seconds));
        return {};
      };
      continue;
    }
    if (state.Type !== "Task") continue;
    const mapped = options.taskHandlers[stateName];
    if (mapped === undefined) {
      throw new TaskHandlerMissing(`Task state ${stateName} has no local handler.`);
    }
    const handler = track(mapped);
    if (!String(state.Resource).endsWith(".waitForTaskToken")) {
      localHandlers[stateName] = handler;
      continue;
    }
    // The engine times the wait itself (AWS reads TimeoutSecondsPath from the state's raw input,
    // aws-local-stepfunctions after Parameters): the value travels in the payload.
    const { TimeoutSecondsPath: timeoutPath, TimeoutSeconds: fixedTimeout, ...untimed } = state;
    const parameters = structuredClone(state.Parameters) as { Payload: Record<string, unknown> };
    if (typeof timeoutPath === "string") parameters.Payload[`${TIMEOUT_FIELD}.$`] = timeoutPath;
    runStates[stateName] = { ...untimed, Parameters: parameters };
    localHandlers[stateName] = async (input) => {
      const { [TIMEOUT_FIELD]: timeoutField, ...payload } =
        (input as { Payload?: Record<string, unknown> }).Payload ?? {};
      const prefix = payload.taskToken;
      if (typeof prefix !== "string")
        throw new Error(`${stateName}: the payload has no taskToken.`);
      // As on AWS, every entry of the state gets a token of its own, live before the function
      // runs, so the function may answer it itself and an earlier entry's token is refused.
      entries += 1;
      const token = `${prefix}.${entries}`;
      const timeoutSeconds = Number(timeoutField ?? fixedTimeout ?? 0);
      const timedOut = () => {
        const timeout = new Error("The wait timed out.");
        timeout.name = "States.Timeout";
        return timeout;
      };
      const answered = tokens.wait(token);
      answered.catch(() => undefined);
      // As on AWS, the timeout runs from the task's start, its function's run included.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const outcome =
        timeMode.kind === "real" && timeoutSeconds > 0
          ? Promise.race([
              answered,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  tokens.drop(token);
                  reject(timedOut());
                }, timeoutSeconds * 1000);
              }),
            ]).finally(() => clearTimeout(timer))
          : answered;
      outcome.catch(() => undefined);
      parked.set(prefix, { token, timer });
      try {
        await handler({ ...payload, taskToken: token });
      } catch (error) {
        // A function that failed after answering its token leaves the answer standing, as on AWS.
        if (tokens.isWaiting(token)) {
          tokens.drop(token);
          clearTimeout(timer);
          throw error;
        }
      }
      if (timeMode.kind === "simulated" && tokens.isWaiting(token)) {
        // Simulated time stands still while a function runs: the whole wait passes at once,
        // unless someone answers the token meanwhile (a person acting during the wait).
        await timeMode.advance(timeoutSeconds);
        if (tokens.isWaiting(token)) {
          tokens.drop(token);
          throw timedOut();
        }
      }
      return outcome;
    };
  }
  const machine = new StateMachine(definition as never, {
    validationOptions: { checkArn: false },
  });

  const records = new Map<string, ExecutionRecord>();
  const runs = new Map<string, { abort: () => void; done: Promise<void> }>();
  const interrupted: string[] = [];
  const executionsDir = options.dataDir;
  if (executionsDir !== undefined) {
    mkdirSync(executionsDir, { recursive: true });
    for (const file of readdirSync(executionsDir).filter((name) => name.endsWith(".json"))) {
      const record = JSON.parse(readFileSync(join(executionsDir, file), "utf8")) as ExecutionRecord;
      if (record.status === "RUNNING") {
        record.status = "ABORTED";
        record.stoppedAt = new Date().toISOString();
        record.cause = HOST_RESTARTED;
        interrupted.push(record.name);
      }
      records.set(record.name, record);
    }
  }

  const persistTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const persist = (record: ExecutionRecord) => {
    if (executionsDir === undefined) return;
    clearTimeout(persistTimers.get(record.name));
    persistTimers.delete(record.name);
    const path = join(executionsDir, `${record.name}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(record));
    renameSync(`${path}.tmp`, path);
  };
  for (const name of interrupted) {
    const record = records.get(name);
    if (record !== undefined) persist(record);
  }
  const persistSoon = (record: ExecutionRecord) => {
    if (executionsDir === undefined || persistTimers.has(record.name)) return;
    const timer = setTimeout(() => persist(record), PERSIST_DELAY_MS);
    timer.unref();
    persistTimers.set(record.name, timer);
  };

  const describe = (record: ExecutionRecord): LocalExecutionDescription => ({
    name: record.name,
    status: record.status,
    startedAt: record.startedAt,
    stoppedAt: record.stoppedAt,
    events: [...record.events],
    transitions: record.transitions,
  });

  const toEvent = (log: EventLog): ExecutionEvent => {
    const timestamp = new Date(log.timestamp).toISOString();
    switch (log.type) {
      case "ExecutionStarted":
        return { timestamp, type: log.type, input: log.input };
      case "ExecutionSucceeded":
        return { timestamp, type: log.type, output: log.output };
      case "ExecutionFailed":
        return { timestamp, type: log.type, error: log.Error, cause: textOf(log.Cause) };
      case "StateEntered":
        return { timestamp, type: log.type, stateName: log.state.name, input: log.state.input };
      case "StateExited":
        return { timestamp, type: log.type, stateName: log.state.name, output: log.state.output };
      case "StateFailed":
        return {
          timestamp,
          type: log.type,
          stateName: log.state.name,
          error: log.Error,
          cause: textOf(log.Cause),
        };
      case "StateRetried":
        return {
          timestamp,
          type: log.type,
          stateName: log.state.name,
          cause: `retry attempt ${log.retry.attempt}`,
        };
      case "StateCaught":
        return {
          timestamp,
          type: log.type,
          stateName: log.state.name,
          cause: `caught into ${log.catch.catcher.Next}`,
        };
      default:
        return { timestamp, type: log.type };
    }
  };

  const releaseWait = (name: string) => {
    const prefix = executionToken.get(name);
    const wait = prefix === undefined ? undefined : parked.get(prefix);
    if (prefix === undefined || wait === undefined) return;
    clearTimeout(wait.timer);
    tokens.drop(wait.token);
    parked.delete(prefix);
  };

  return {
    async startExecution(name, input) {
      if (records.has(name)) throw new ExecutionAlreadyExists(`Execution ${name} already exists.`);
      const record: ExecutionRecord = {
        name,
        status: "RUNNING",
        startedAt: new Date().toISOString(),
        events: [],
        transitions: 0,
      };
      records.set(name, record);
      persist(record);
      const token = `${name}:${randomBytes(16).toString("hex")}`;
      executionToken.set(name, token);
      const waitOverrides: Record<string, number> = { ...options.waitTimeOverrides };
      // aws-local-stepfunctions runs a failed task again after an aborted retry wait: once the
      // execution is stopped, its tasks refuse to run.
      const stopped = new AbortController();
      const runHandlers = Object.fromEntries(
        Object.entries(localHandlers).map(([stateName, handler]) => [
          stateName,
          (taskInput: unknown) =>
            stopped.signal.aborted
              ? Promise.reject(new ExecutionStopped(`Execution ${name} was stopped.`))
              : handler(taskInput),
        ]),
      );
      const run = machine.run(input as never, {
        noThrowOnAbort: true,
        context: {
          Execution: { Id: `local:${name}`, Name: name, StartTime: record.startedAt, Input: input },
          Task: { Token: token },
        } as never,
        overrides: {
          taskResourceLocalHandlers: runHandlers as never,
          waitTimeOverrides: waitOverrides,
          retryIntervalOverrides: options.retryIntervalOverrides,
        },
      });
      const consume = (async () => {
        for await (const log of run.eventLogs) {
          if (log.type === "StateEntered") record.transitions++;
          record.events.push(toEvent(log));
          persistSoon(record);
        }
      })();
      const done = (async () => {
        try {
          const result = await run.result;
          await consume;
          if (record.status === "RUNNING") {
            record.status = result === null ? "ABORTED" : "SUCCEEDED";
          }
        } catch (error) {
          await consume.catch(() => undefined);
          const failure = record.events.findLast((event) => event.type === "ExecutionFailed");
          record.status =
            error instanceof Error && error.name === "ExecutionTimeoutError"
              ? "TIMED_OUT"
              : "FAILED";
          record.error = failure?.error ?? (error instanceof Error ? error.name : "Error");
          record.cause = failure?.cause ?? (error instanceof Error ? error.message : String(error));
        } finally {
          record.stoppedAt = new Date().toISOString();
          releaseWait(name);
          executionToken.delete(name);
          persist(record);
          runs.delete(name);
        }
      })();
      runs.set(name, {
        abort: () => {
          stopped.abort();
          run.abort();
        },
        done,
      });
    },

    async sendTaskSuccess(taskToken, output) {
      tokens.resolve(taskToken, output);
    },

    async sendTaskFailure(taskToken, error, cause) {
      tokens.reject(taskToken, error, cause);
    },

    async stopExecution(name, cause) {
      const run = runs.get(name);
      const record = records.get(name);
      if (run === undefined || record === undefined) return;
      record.status = "ABORTED";
      record.cause = cause;
      run.abort();
      releaseWait(name);
      await run.done;
    },

    async describeExecution(name) {
      const record = records.get(name);
      return record === undefined ? undefined : describe(record);
    },

    async waitForExecution(name) {
      await runs.get(name)?.done;
      const record = records.get(name);
      if (record === undefined) throw new Error(`No execution ${name}.`);
      return describe(record);
    },

    listExecutions() {
      return [...records.values()].map(describe);
    },

    interruptedExecutions() {
      return interrupted;
    },

    executionsStoppedWithHost() {
      return [...records.values()]
        .filter(
          (record) =>
            record.status === "ABORTED" &&
            record.settledAfterStop !== true &&
            (record.cause === HOST_RESTARTED || record.cause === HOST_STOPPED),
        )
        .map((record) => record.name);
    },

    markStoppedExecutionSettled(name) {
      const record = records.get(name);
      if (record === undefined || record.status !== "ABORTED") return;
      record.settledAfterStop = true;
      persist(record);
    },

    async close() {
      for (const [name, run] of runs) {
        const record = records.get(name);
        if (record !== undefined) {
          record.status = "ABORTED";
          record.cause = HOST_STOPPED;
        }
        run.abort();
        releaseWait(name);
      }
      await Promise.all([...runs.values()].map((run) => run.done));
      await Promise.all(inFlight);
      options.logger?.("workflow engine closed");
    },
  };
}

/**
 * The engine for handlers built before it exists (the engine runs the steps, and a wait loop's
 * step answers the engine's task tokens): each call goes to the engine `current` returns.
 */
export function deferredEngine(current: () => WorkflowEngine): WorkflowEngine {
  return {
    startExecution: (name, input) => current().startExecution(name, input),
    sendTaskSuccess: (token, output) => current().sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => current().sendTaskFailure(token, error, cause),
    stopExecution: (name, cause) => current().stopExecution(name, cause),
    describeExecution: (name) => current().describeExecution(name),
  };
}

export function existsExecutionRecord(dataDir: string, name: string): boolean {
  return existsSync(join(dataDir, `${name}.json`));
}
