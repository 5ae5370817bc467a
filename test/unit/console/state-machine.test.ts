import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type AslDefinition,
  BOX,
  executionPosition,
  layoutStateMachine,
} from "../../../console/src/state-machine.ts";

const definition = JSON.parse(
  readFileSync(new URL("../../../statemachines/order.asl.json", import.meta.url), "utf8"),
) as AslDefinition;

describe("the order workflow as the execution view draws it", () => {
  const layout = layoutStateMachine(definition);
  const at = new Map(layout.states.map((state) => [state.name, state]));

  it("places every state of the definition once, the start at the top", () => {
    expect(layout.states.map((state) => state.name).sort()).toEqual(
      Object.keys(definition.States).sort(),
    );
    expect(at.get(definition.StartAt)?.layer).toBe(0);
    expect(Math.min(...layout.states.map((state) => state.y))).toBe(at.get(definition.StartAt)?.y);
  });

  it("draws every transition, forward ones downwards and loops marked as going back", () => {
    for (const edge of layout.edges) {
      const from = at.get(edge.from);
      const to = at.get(edge.to);
      expect(from && to).toBeTruthy();
      if (from === undefined || to === undefined) continue;
      if (edge.back) expect(to.layer).toBeLessThanOrEqual(from.layer);
      else expect(to.layer).toBeGreaterThan(from.layer);
    }
    expect(
      layout.edges.filter((edge) => edge.back).map((edge) => `${edge.from}->${edge.to}`),
    ).toEqual(expect.arrayContaining(["IsEverythingPublished->WaitForCustomerToPublish"]));
  });

  it("keeps the failure path below every task that can fail into it, as a note not arrows", () => {
    const failure = at.get("RecordFailure");
    const catchers = layout.states.filter((state) => state.catchesTo.includes("RecordFailure"));
    expect(catchers.length).toBeGreaterThan(5);
    for (const catcher of catchers) expect(failure?.layer).toBeGreaterThan(catcher.layer);
    expect(layout.edges.some((edge) => edge.to === "RecordFailure")).toBe(false);
  });

  it("lays no two states over each other and keeps them inside the picture", () => {
    for (const a of layout.states) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.x + BOX.width).toBeLessThanOrEqual(layout.width);
      expect(a.y + BOX.height).toBeLessThanOrEqual(layout.height);
      for (const b of layout.states) {
        if (a === b) continue;
        const apart =
          a.x + BOX.width <= b.x ||
          b.x + BOX.width <= a.x ||
          a.y + BOX.height <= b.y ||
          b.y + BOX.height <= a.y;
        expect(apart, `${a.name} overlaps ${b.name}`).toBe(true);
      }
    }
  });
});

describe("where an execution is", () => {
  it("is the last state entered, by the local engine's event names or Step Functions'", () => {
    const local = executionPosition([
      { timestamp: "t", type: "ExecutionStarted" },
      { timestamp: "t", type: "StateEntered", stateName: "RecordOrder" },
      { timestamp: "t", type: "StateExited", stateName: "RecordOrder" },
      { timestamp: "t", type: "StateEntered", stateName: "WaitForCustomerToPublish" },
      { timestamp: "t", type: "StateFailed", stateName: "WaitForCustomerToPublish" },
      { timestamp: "t", type: "StateEntered", stateName: "WaitForCustomerToPublish" },
    ]);
    expect(local.current).toBe("WaitForCustomerToPublish");
    expect([...local.visited]).toEqual(["RecordOrder", "WaitForCustomerToPublish"]);
    expect([...local.failed]).toEqual(["WaitForCustomerToPublish"]);
    expect(local.entries.get("WaitForCustomerToPublish")).toBe(2);
    expect([...local.transitions]).toEqual([
      "RecordOrder->WaitForCustomerToPublish",
      "WaitForCustomerToPublish->WaitForCustomerToPublish",
    ]);

    const aws = executionPosition([
      { timestamp: "t", type: "TaskStateEntered", stateName: "RecordOrder" },
      { timestamp: "t", type: "ChoiceStateEntered", stateName: "AreNamesAlreadyValidated" },
      { timestamp: "t", type: "TaskTimedOut", stateName: "AreNamesAlreadyValidated" },
    ]);
    expect(aws.current).toBe("AreNamesAlreadyValidated");
    expect(aws.failed.has("AreNamesAlreadyValidated")).toBe(true);
    expect(executionPosition([]).current).toBeUndefined();
  });
});
