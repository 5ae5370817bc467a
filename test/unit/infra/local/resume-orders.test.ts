import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, OrderStatusName } from "../../../../functions/domain/order-record.ts";
import type {
  ExecutionDescription,
  WorkflowEngine,
} from "../../../../functions/ports/workflow-engine.ts";
import {
  resumeOrdersInFlight,
  sendMailsOfStoppedExecutions,
} from "../../../../infra/local/resume-orders.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";

const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));

/** An engine that knows the executions of a stopped host, by name and status. */
function engineWith(known: Record<string, ExecutionDescription["status"]>) {
  const started: string[] = [];
  const engine: WorkflowEngine = {
    async startExecution(name) {
      started.push(name);
    },
    async sendTaskSuccess() {},
    async sendTaskFailure() {},
    async stopExecution() {},
    async describeExecution(name) {
      const status = known[name];
      return status === undefined
        ? undefined
        : { name, status, startedAt: clock.now().toISOString(), events: [] };
    },
  };
  return { engine, started };
}

describe("resuming orders when the local host starts", () => {
  it("moves every order in flight whose execution is not running, whatever stopped it", async () => {
    // Prepare
    const store = createMemoryOrderStore(clock);
    const seed = async (orderId: string, status: OrderStatusName, waitToken?: string) => {
      const record = sampleOrder({ orderId, executionName: `${orderId}-1` });
      await store.create(record, { at: record.createdAt, type: "note", message: "seeded" });
      const stored = await store.get(orderId);
      if (stored !== undefined) await store.update(stored, { status, waitToken });
    };
    await seed("ord_stopped", "PENDING_VALIDATION", "token-of-the-stopped-wait");
    await seed("ord_neverstarted", "SUBMITTED");
    await seed("ord_failedexecution", "ISSUING");
    await seed("ord_running", "PENDING_VALIDATION");
    const { engine, started } = engineWith({
      "ord_stopped-1": "ABORTED",
      "ord_failedexecution-1": "FAILED",
      "ord_running-1": "RUNNING",
    });
    const inFlight = async () =>
      (
        await Promise.all(
          ["ord_stopped", "ord_neverstarted", "ord_failedexecution", "ord_running"].map((id) =>
            store.get(id),
          ),
        )
      ).filter((order): order is OrderRecord => order !== undefined);

    // Act
    const resumed = await resumeOrdersInFlight({
      store,
      engine,
      ordersInFlight: inFlight,
      clock,
      log: () => undefined,
    });

    // Assess
    expect(resumed).toEqual(["ord_stopped", "ord_neverstarted", "ord_failedexecution"]);
    expect(started).toEqual(["ord_stopped-2", "ord_neverstarted-1", "ord_failedexecution-2"]);
    const stopped = await store.get("ord_stopped");
    expect(stopped?.executionName).toBe("ord_stopped-2");
    expect(stopped?.waitToken).toBeUndefined();
    expect((await store.get("ord_running"))?.executionName).toBe("ord_running-1");
  });

  it("runs the mail step of executions a stop cut off after their order's final status", async () => {
    // Prepare
    const store = createMemoryOrderStore(clock);
    const seed = async (orderId: string, status: OrderStatusName, executionName: string) => {
      const record = sampleOrder({ orderId, executionName });
      await store.create(record, { at: record.createdAt, type: "note", message: "seeded" });
      const stored = await store.get(orderId);
      if (stored !== undefined) await store.update(stored, { status });
    };
    await seed("ord_issued", "ISSUED", "ord_issued-1");
    await seed("ord_failed", "FAILED", "ord_failed-2");
    await seed("ord_broken", "ISSUED", "ord_broken-1");
    await seed("ord_resumed", "ISSUED", "ord_resumed-2");
    await seed("ord_waiting", "PENDING_VALIDATION", "ord_waiting-1");
    await seed("ord_cancelled", "CANCELLED", "ord_cancelled-1");
    const ran: string[] = [];
    const lines: string[] = [];
    const settled: string[] = [];

    // Act
    const mailed = await sendMailsOfStoppedExecutions({
      store,
      stoppedExecutions: [
        "ord_broken-1",
        "ord_issued-1",
        "ord_failed-2",
        "ord_resumed-1",
        "ord_waiting-1",
        "ord_cancelled-1",
        "ord_gone-1",
      ],
      runStep: async (state, input) => {
        ran.push(`${state} ${input.orderId}`);
        if (input.orderId === "ord_broken") throw new Error("SES is down");
        return {};
      },
      settled: (name) => settled.push(name),
      log: (line) => lines.push(line),
    });

    // Assess
    expect(ran).toEqual([
      "SendIssuedMail ord_broken",
      "SendIssuedMail ord_issued",
      "SendFailureMail ord_failed",
    ]);
    expect(mailed).toEqual(["ord_issued", "ord_failed"]);
    expect(lines).toEqual([
      "order ord_broken: SendIssuedMail after the restart failed: SES is down",
    ]);
    // Everything but the failed mail is settled: the next start looks only at that one again.
    expect(settled).toEqual([
      "ord_issued-1",
      "ord_failed-2",
      "ord_resumed-1",
      "ord_waiting-1",
      "ord_cancelled-1",
      "ord_gone-1",
    ]);
  });
});
