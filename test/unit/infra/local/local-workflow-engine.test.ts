import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ExecutionAlreadyExists,
  TaskNotWaiting,
  type WorkflowEngine,
} from "../../../../functions/ports/workflow-engine.ts";
import {
  createLocalWorkflowEngine,
  deferredEngine,
} from "../../../../infra/local/local-workflow-engine.ts";

/** A small machine with the order machine's patterns: a callback wait with a path timeout. */
const definition = {
  StartAt: "Prepare",
  States: {
    Prepare: {
      Type: "Task",
      Resource: "${PrepareFunctionArn}",
      ResultPath: "$.plan",
      Next: "Park",
    },
    Park: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: "${ParkFunctionArn}",
        Payload: { "id.$": "$.id", "taskToken.$": "$$.Task.Token" },
      },
      TimeoutSecondsPath: "$.plan.waitSeconds",
      ResultPath: "$.wake",
      Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.wake", Next: "TimedOut" }],
      Next: "Woken",
    },
    Woken: { Type: "Succeed" },
    TimedOut: { Type: "Fail", Error: "TimedOut", Cause: "nobody woke it" },
  },
};

function engine(options: { dataDir?: string; waitSeconds?: number } = {}) {
  const tokens: string[] = [];
  const instance = createLocalWorkflowEngine({
    definition,
    dataDir: options.dataDir,
    taskHandlers: {
      Prepare: async () => ({ waitSeconds: options.waitSeconds ?? 30 }),
      Park: async (input) => {
        tokens.push((input as { taskToken: string }).taskToken);
        return {};
      },
    },
  });
  return { instance, tokens };
}

async function until(condition: () => boolean) {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the local workflow engine", () => {
  it("wakes a parked task by its token long before its timeout", async () => {
    const { instance, tokens } = engine();
    const started = Date.now();
    await instance.startExecution("run-1", { id: "a" });
    await until(() => tokens.length === 1);
    await instance.sendTaskSuccess(tokens[0] ?? "", { reason: "published" });
    const done = await instance.waitForExecution("run-1");
    expect(done.status).toBe("SUCCEEDED");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(done.events.map((event) => event.type)).toContain("ExecutionSucceeded");
    await expect(instance.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toThrow(
      /No task is waiting/,
    );
  });

  it("times a parked task out by the path given in the state's raw input", async () => {
    const { instance } = engine({ waitSeconds: 1 });
    await instance.startExecution("run-timeout", { id: "a" });
    const done = await instance.waitForExecution("run-timeout");
    expect(done.status).toBe("FAILED");
    expect(
      done.events.some((event) => event.type === "StateCaught" && event.stateName === "Park"),
    ).toBe(true);
  });

  it("refuses a second execution with the same name", async () => {
    const { instance, tokens } = engine();
    await instance.startExecution("run-2", { id: "a" });
    await expect(instance.startExecution("run-2", { id: "a" })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await until(() => tokens.length === 1);
    await instance.stopExecution("run-2", "cancelled");
    expect((await instance.describeExecution("run-2"))?.status).toBe("ABORTED");
  });

  it("keeps records across a restart and reports the executions that were running", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "certflow-engine-"));
    const first = engine({ dataDir });
    await first.instance.startExecution("run-3", { id: "a" });
    await until(() => first.tokens.length === 1);
    // A crash, not a clean stop: the record on disk still says RUNNING.
    const second = engine({ dataDir });
    expect(second.instance.interruptedExecutions()).toEqual(["run-3"]);
    expect(second.instance.executionsStoppedWithHost()).toEqual(["run-3"]);
    expect((await second.instance.describeExecution("run-3"))?.status).toBe("ABORTED");
    // Once settled, a later start does not offer it again.
    second.instance.markStoppedExecutionSettled("run-3");
    const third = engine({ dataDir });
    expect(third.instance.executionsStoppedWithHost()).toEqual([]);
    expect((await third.instance.describeExecution("run-3"))?.status).toBe("ABORTED");
    await expect(second.instance.startExecution("run-3", { id: "a" })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );
    await first.instance.close();
  });

  it("writes a running execution's events to disk a moment later, and all of them when it ends", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "certflow-engine-"));
    const onDisk = () =>
      JSON.parse(readFileSync(join(dataDir, "run-6.json"), "utf8")) as {
        status: string;
        events: { type: string; stateName?: string }[];
      };
    const statesEntered = (events: readonly { type: string; stateName?: string }[]) =>
      events.filter((event) => event.type === "StateEntered").map((event) => event.stateName);
    const first = engine({ dataDir });
    await first.instance.startExecution("run-6", { id: "f" });
    await until(() => first.tokens.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const whileParked = onDisk();
    await first.instance.sendTaskSuccess(first.tokens[0] ?? "", { woken: true });
    const ended = await first.instance.waitForExecution("run-6");

    expect(whileParked.status).toBe("RUNNING");
    expect(statesEntered(whileParked.events)).toEqual(["Prepare", "Park"]);
    expect(onDisk().status).toBe("SUCCEEDED");
    expect(onDisk().events).toEqual(ended.events);
  });

  it("runs no task of a stopped execution again, not even a retry that was due", async () => {
    // Prepare: a task that fails with a retried error just after its execution was stopped.
    const retried = {
      StartAt: "Flaky",
      States: {
        Flaky: {
          Type: "Task",
          Resource: "${FlakyFunctionArn}",
          Retry: [{ ErrorEquals: ["Hiccup"], IntervalSeconds: 60, MaxAttempts: 3 }],
          End: true,
        },
      },
    };
    let calls = 0;
    let fail: (error: Error) => void = () => undefined;
    const instance = createLocalWorkflowEngine({
      definition: retried,
      taskHandlers: {
        Flaky: () => {
          calls++;
          return new Promise((_, reject) => {
            fail = reject;
          });
        },
      },
    });
    await instance.startExecution("run-stopped", {});
    await until(() => calls === 1);

    // Act
    await instance.stopExecution("run-stopped", "cancelled");
    const hiccup = new Error("a transient failure");
    hiccup.name = "Hiccup";
    fail(hiccup);
    await instance.close();
    // What the failure sets off runs in promise jobs: let them all run.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(calls).toBe(1);
    expect((await instance.describeExecution("run-stopped"))?.status).toBe("ABORTED");
  });

  it("refuses a definition with a Task state nobody handles", () => {
    expect(() =>
      createLocalWorkflowEngine({ definition, taskHandlers: { Prepare: async () => ({}) } }),
    ).toThrow(/Task state Park has no local handler/);
  });
});

/** The wait loop's shape: a Task that times out into itself, a Choice on what its function said. */
const loop = {
  StartAt: "Wait",
  States: {
    Wait: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: "${WaitFunctionArn}",
        Payload: { "taskToken.$": "$$.Task.Token", "turn.$": "$.turn" },
      },
      TimeoutSecondsPath: "$.turn.waitSeconds",
      ResultPath: "$.turn",
      Catch: [
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.lastTimeout", Next: "Wait" },
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "GaveUp" },
      ],
      Next: "IsDone",
    },
    IsDone: {
      Type: "Choice",
      Choices: [{ Variable: "$.turn.done", BooleanEquals: true, Next: "Done" }],
      Default: "Wait",
    },
    Done: { Type: "Succeed" },
    GaveUp: { Type: "Fail", Error: "GaveUp", Cause: "the wait failed" },
  },
};

/** Each turn answers its own token as `answer` says for the turn's number (1, 2, …). */
function loopEngine(
  answer: (turn: number, token: string, workflow: WorkflowEngine) => Promise<void>,
  simulated?: { advance(seconds: number): void },
) {
  const tokens: string[] = [];
  const instance = createLocalWorkflowEngine({
    definition: loop,
    timeMode: simulated === undefined ? undefined : { kind: "simulated", ...simulated },
    taskHandlers: {
      Wait: async (input) => {
        const { taskToken } = input as { taskToken: string };
        tokens.push(taskToken);
        await answer(
          tokens.length,
          taskToken,
          deferredEngine(() => instance),
        );
        return {};
      },
    },
  });
  return { instance, tokens };
}

describe("the local workflow engine's task tokens in a wait loop", () => {
  it("lets a task's own function wake it before it returns, in real and simulated time", async () => {
    for (const simulated of [undefined, { advance: () => undefined }]) {
      const { instance, tokens } = loopEngine(async (turn, token, workflow) => {
        await workflow.sendTaskSuccess(token, { done: turn === 2, waitSeconds: 600 });
      }, simulated);
      await instance.startExecution("self-woken", { turn: { waitSeconds: 600 } });
      const done = await instance.waitForExecution("self-woken");
      expect(done.status).toBe("SUCCEEDED");
      expect(tokens).toHaveLength(2);
      expect(done.transitions).toBe(5);
    }
  });

  it("routes a failure sent on the token by its name, with its cause", async () => {
    const { instance } = loopEngine(async (_turn, token, workflow) => {
      await workflow.sendTaskFailure(token, "ValidationTimedOut", "The deadline passed.");
    });
    await instance.startExecution("failed-by-token", { turn: { waitSeconds: 600 } });
    const done = await instance.waitForExecution("failed-by-token");
    expect(done.status).toBe("FAILED");
    const caught = done.events.find((event) => event.type === "StateFailed");
    expect(caught).toMatchObject({ error: "ValidationTimedOut", cause: "The deadline passed." });
  });

  it("gives every turn a token of its own and refuses an earlier turn's", async () => {
    let seconds = 0;
    const { instance, tokens } = loopEngine(
      async (turn, token, workflow) => {
        if (turn === 3) await workflow.sendTaskSuccess(token, { done: true });
      },
      { advance: (by) => (seconds += by) },
    );
    await instance.startExecution("turns", { turn: { waitSeconds: 900 } });
    const done = await instance.waitForExecution("turns");
    expect(done.status).toBe("SUCCEEDED");
    expect(new Set(tokens).size).toBe(3);
    expect(seconds).toBe(1800);
    // Wait, Wait, Wait (timeouts loop straight back), IsDone, Done.
    expect(done.transitions).toBe(5);
    await expect(instance.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toBeInstanceOf(
      TaskNotWaiting,
    );
  });

  it("times a turn out in real time and starts the next one", async () => {
    const { instance, tokens } = loopEngine(async (turn, token, workflow) => {
      if (turn === 2) await workflow.sendTaskSuccess(token, { done: true });
    });
    const started = Date.now();
    await instance.startExecution("real-timeout", { turn: { waitSeconds: 1 } });
    const done = await instance.waitForExecution("real-timeout");
    expect(done.status).toBe("SUCCEEDED");
    expect(tokens).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it("counts a turn's timeout from the task's start, its function's run included", async () => {
    const { instance, tokens } = loopEngine(async (turn, token, workflow) => {
      if (turn === 1) {
        // Slower than the wait: the turn is over before the function answers.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await expect(workflow.sendTaskSuccess(token, { done: true })).rejects.toBeInstanceOf(
          TaskNotWaiting,
        );
        return;
      }
      await workflow.sendTaskSuccess(token, { done: true });
    });
    await instance.startExecution("slow-turn", { turn: { waitSeconds: 1 } });
    const done = await instance.waitForExecution("slow-turn");
    expect(done.status).toBe("SUCCEEDED");
    expect(tokens).toHaveLength(2);
  });

  it("keeps a turn's answer when its function fails after giving it", async () => {
    const { instance } = loopEngine(async (_turn, token, workflow) => {
      await workflow.sendTaskSuccess(token, { done: true });
      throw new Error("crashed after answering");
    });
    await instance.startExecution("answered-then-crashed", { turn: { waitSeconds: 600 } });
    expect((await instance.waitForExecution("answered-then-crashed")).status).toBe("SUCCEEDED");
  });

  it("releases a parked turn when its execution is stopped", async () => {
    const { instance, tokens } = loopEngine(async () => undefined);
    await instance.startExecution("stopped", { turn: { waitSeconds: 3600 } });
    await until(() => tokens.length === 1);
    await instance.stopExecution("stopped", "cancelled");
    expect((await instance.describeExecution("stopped"))?.status).toBe("ABORTED");
    await expect(instance.sendTaskSuccess(tokens[0] ?? "", {})).rejects.toBeInstanceOf(
      TaskNotWaiting,
    );
  });
});
