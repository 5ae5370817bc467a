import { beforeEach, describe, expect, it } from "vitest";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import {
  ExecutionAlreadyExists,
  type WorkflowEngine,
} from "../../../../functions/ports/workflow-engine.ts";
import { callRoute, routeTestDependencies } from "../../../support/route-calls.ts";

const order = {
  domains: ["shop.example.com"],
  validation: { method: "dns-txt" },
  contact: { name: "Ada", email: "ada@example.com" },
};
const submission = { body: order, headers: { "idempotency-key": "checkout-42" } };

let deps: AllDependencies;
/** Executions the engine runs, by name. */
let executions: string[];
/** When set, the next start never returns, as when the process dies while starting. */
let dieAtNextStart: boolean;
/** Called when the request that dies has reached the engine. */
let died: () => void;

beforeEach(() => {
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  executions = [];
  dieAtNextStart = false;
  died = () => undefined;
  // Like Step Functions: a name starts once; starting it again is refused.
  const workflow: WorkflowEngine = {
    async startExecution(name) {
      if (dieAtNextStart) {
        dieAtNextStart = false;
        died();
        return new Promise<void>(() => undefined);
      }
      if (executions.includes(name)) throw new ExecutionAlreadyExists(`${name} exists`);
      executions.push(name);
    },
    async sendTaskSuccess() {},
    async sendTaskFailure() {},
    async stopExecution() {},
    async describeExecution() {
      return undefined;
    },
  };
  deps = routeTestDependencies(clock, { workflow, newOrderId: () => "ord_submit1" });
});

describe("POST /v1/orders started once, whatever stops the first request", () => {
  it("starts a stored order that never started when the same Idempotency-Key comes again", async () => {
    // Prepare: the first request stores the order and dies before its execution starts.
    dieAtNextStart = true;
    const reachedEngine = new Promise<void>((resolve) => {
      died = resolve;
    });
    void callRoute(deps, "POST", "/v1/orders", submission);
    await reachedEngine;
    const stranded = await deps.store.get("ord_submit1");

    // Act
    const replay = await callRoute(deps, "POST", "/v1/orders", submission);
    const again = await callRoute(deps, "POST", "/v1/orders", submission);

    // Assess
    expect(stranded?.status).toBe("SUBMITTED");
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ id: "ord_submit1", status: "SUBMITTED" });
    expect(again.status).toBe(202);
    expect(executions).toEqual(["ord_submit1-1"]);
    expect((await deps.store.get("ord_submit1"))?.status).toBe("SUBMITTED");
  });

  it("counts an engine's 'already exists' as started, not as a failure", async () => {
    // Prepare: the engine already runs the execution this order is about to start.
    executions.push("ord_submit1-1");

    // Act
    const answer = await callRoute(deps, "POST", "/v1/orders", submission);

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ id: "ord_submit1", status: "SUBMITTED" });
    expect((await deps.store.get("ord_submit1"))?.status).toBe("SUBMITTED");
  });
});

describe("POST /v1/orders with installationCheck", () => {
  it("keeps installationCheck: true on the order, leaves it out when false or absent, and refuses a non-boolean", async () => {
    const asked = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, installationCheck: true },
    });
    expect(asked.status).toBe(202);
    expect(asked.json.installationCheck).toBe(true);
    expect((await deps.store.get("ord_submit1"))?.installationCheck).toBe(true);

    const declined = await callRoute(
      { ...deps, newOrderId: () => "ord_submit2" },
      "POST",
      "/v1/orders",
      { body: { ...order, installationCheck: false } },
    );
    expect(declined.status).toBe(202);
    expect((await deps.store.get("ord_submit2"))?.installationCheck).toBeUndefined();

    const wrong = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, installationCheck: "yes" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe("INVALID_REQUEST");
  });
});

describe("POST /v1/orders with planMonths", () => {
  it("records the plan and when it ends, and keeps the first certificate within it", async () => {
    // Act
    const answer = await callRoute(deps, "POST", "/v1/orders", {
      body: { ...order, planMonths: 24 },
    });
    const short = await callRoute(
      { ...deps, newOrderId: () => "ord_submit2" },
      "POST",
      "/v1/orders",
      { body: { ...order, planMonths: 1, validityDays: 90 } },
    );

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json.renewal).toMatchObject({
      planMonths: 24,
      planEndsAt: "2029-01-10T08:00:00.000Z",
    });
    const stored = await deps.store.get("ord_submit1");
    expect(stored).toMatchObject({ planMonths: 24, planEndsAt: "2029-01-10T08:00:00.000Z" });
    expect(short.status).toBe(202);
    expect((await deps.store.get("ord_submit2"))?.validityDays).toBe(31);
  });

  it.each([0, 61, 1.5, "12"])(
    "refuses planMonths %j with 400 naming the field",
    async (planMonths) => {
      // Act
      const answer = await callRoute(deps, "POST", "/v1/orders", {
        body: { ...order, planMonths },
      });

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.json.error.code).toBe("INVALID_REQUEST");
      expect(JSON.stringify(answer.json.error)).toContain("planMonths");
      expect(await deps.store.get("ord_submit1")).toBeUndefined();
    },
  );
});
