import type { Clock } from "../../functions/domain/clock.ts";
import { STATUS_KIND } from "../../functions/domain/order-status.ts";
import { noteEvent, updateOrder } from "../../functions/orders/order-updates.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import type { WorkflowEngine } from "../../functions/ports/workflow-engine.ts";

/**
 * Executions do not survive a restart of the local host (AWS keeps them running). Every order
 * whose execution was interrupted while the order was still in progress gets a new execution
 * (same order id, next attempt number); the steps are idempotent, so it picks up where it was.
 */
export async function resumeInterruptedOrders(input: {
  store: OrderStore;
  engine: WorkflowEngine & { interruptedExecutions(): readonly string[] };
  clock: Clock;
  log: (line: string) => void;
}): Promise<string[]> {
  const resumed: string[] = [];
  for (const executionName of input.engine.interruptedExecutions()) {
    const match = /^(ord_[A-Za-z0-9]+)-(\d+)$/.exec(executionName);
    if (match === null) continue;
    const [, orderId = "", attempt = "1"] = match;
    const order = await input.store.get(orderId);
    if (order === undefined || STATUS_KIND[order.status] === "final") continue;
    if (order.executionName !== executionName) continue;
    const next = `${orderId}-${Number(attempt) + 1}`;
    await updateOrder(input.store, orderId, () => ({
      changes: { executionName: next, waitToken: undefined },
      event: noteEvent(
        input.clock.now(),
        "workflow",
        `The service restarted; the order continues in execution ${next}.`,
      ),
    }));
    await input.engine.startExecution(next, { orderId });
    input.log(`resumed order ${orderId} as execution ${next}`);
    resumed.push(orderId);
  }
  return resumed;
}
