import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderRecord, OrderStatusName } from "../../../../functions/domain/order-record.ts";
import type {
  ExecutionDescription,
  WorkflowEngine,
} from "../../../../functions/ports/workflow-engine.ts";
import { resumeOrdersInFlight } from "../../../../infra/local/resume-orders.ts";
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
});
