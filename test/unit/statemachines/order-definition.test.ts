import { describe, expect, it } from "vitest";
import {
  readOrderDefinition,
  retryIntervalOverrides,
  taskStateBindings,
} from "../../../statemachines/order-definition.ts";

const definition = readOrderDefinition();
const states = definition.States as Record<string, Record<string, any>>;

describe("statemachines/order.asl.json", () => {
  it("binds every Task state to the function named after it", () => {
    const bindings = taskStateBindings(definition);

    expect(bindings.length).toBeGreaterThan(10);
    expect(bindings.find((binding) => binding.waitsForCallback)).toEqual({
      stateName: "WaitForCustomerToPublish",
      waitsForCallback: true,
    });
  });

  it("refuses a Task state that invokes a function named after another state", () => {
    const renamed = {
      States: { Park: { Type: "Task", Resource: "${ParkOrderFunctionArn}", End: true } },
    };

    expect(() => taskStateBindings(renamed)).toThrow(
      "Task state Park must invoke ${ParkFunctionArn}, not ${ParkOrderFunctionArn}.",
    );
  });

  it("can shorten every Retry pause of the local engine, and only states that retry", () => {
    const overrides = retryIntervalOverrides(definition, 50);
    expect(overrides.PlaceOrderWithCa).toBe(50);
    expect(overrides.CheckCaDecision).toBe(50);
    expect(overrides.WaitForCaDecision).toBeUndefined();
    for (const name of Object.keys(overrides))
      expect(states[name]?.Retry?.length).toBeGreaterThan(0);
  });

  it("gives every Task a timeout and catches every error into the failure path", () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      expect(
        state.TimeoutSeconds ?? state.TimeoutSecondsPath,
        `${name} has no timeout`,
      ).toBeDefined();
      const catchesAll = (state.Catch ?? []).some((catcher: any) =>
        catcher.ErrorEquals.includes("States.ALL"),
      );
      expect(catchesAll, `${name} does not catch States.ALL`).toBe(true);
    }
  });

  it("retries only named errors, never States.ALL", () => {
    for (const [name, state] of Object.entries(states)) {
      for (const retrier of state.Retry ?? []) {
        expect(retrier.ErrorEquals, name).not.toContain("States.ALL");
        expect(retrier.ErrorEquals, name).not.toContain("States.TaskFailed");
      }
    }
  });

  it("passes only the order id (and counters, the wait's turn or the task token) into steps", () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Task") continue;
      const parameters = state.Parameters.Payload ?? state.Parameters;
      const keys = Object.keys(parameters).filter((key) => key !== "FunctionName");
      for (const key of keys) {
        expect(
          ["orderId.$", "attempt.$", "taskToken.$", "turn.$", "error.$"],
          `${name}: ${key}`,
        ).toContain(key);
      }
    }
  });

  it("waits only in the wait loop's shape: a Task that times out into itself, and a Choice", () => {
    const waits = Object.entries(states).filter(([, state]) =>
      String(state.Resource).endsWith(".waitForTaskToken"),
    );
    expect(waits.map(([name]) => name)).toEqual(["WaitForCustomerToPublish", "WaitForReview"]);
    for (const [name, wait] of waits) {
      const loopPath = String(wait.ResultPath);
      expect(loopPath, name).toMatch(/^\$\.\w+$/);
      expect(wait.TimeoutSecondsPath, name).toBe(`${loopPath}.waitSeconds`);
      expect(wait.Parameters.Payload["turn.$"], name).toBe(loopPath);
      expect(wait.Parameters.Payload["taskToken.$"], name).toBe("$$.Task.Token");
      expect(wait.Catch[0], name).toEqual({
        ErrorEquals: ["States.Timeout"],
        ResultPath: "$.lastTimeout",
        Next: name,
      });
      expect(wait.Catch.at(-1)?.Next, name).toBe("RecordFailure");
      const choice = states[wait.Next];
      expect(choice?.Type, name).toBe("Choice");
      expect(choice?.Default, name).toBe(name);
      expect(choice?.Choices, name).toEqual([
        expect.objectContaining({ Variable: `${loopPath}.done`, BooleanEquals: true }),
      ]);
      // The state before the loop leaves the first turn where the loop reads it.
      const entries = Object.entries(states).filter(
        ([other, state]) =>
          other !== wait.Next &&
          (state.Next === name ||
            (state.Choices ?? []).some((rule: { Next?: string }) => rule.Next === name)),
      );
      expect(entries.length, name).toBeGreaterThan(0);
    }
    expect(states.PlaceOrderWithCa?.ResultPath).toBe(states.WaitForCustomerToPublish?.ResultPath);
    // The review's first turn is the CA decision that found every name valid.
    expect(states.AskCaToValidate?.ResultPath).toBe(states.WaitForReview?.ResultPath);
    expect(states.CheckCaDecision?.ResultPath).toBe(states.WaitForReview?.ResultPath);
  });

  it("ends failures in a Fail state after recording them", () => {
    expect(states.RecordFailure?.Next).toBe("SendFailureMail");
    expect(states.SendFailureMail?.Next).toBe("OrderFailed");
    expect(states.OrderFailed?.Type).toBe("Fail");
  });
});
