import { loadOrder, noteEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export async function recordOrder(deps: WorkflowDependencies, input: { orderId: string }) {
  const order = await loadOrder(deps.store, input.orderId);
  if (order.status !== "SUBMITTED") {
    throw new OrderNotInStep(`Order ${order.orderId} is ${order.status}, not SUBMITTED.`);
  }
  await updateOrder(deps.store, input.orderId, (current) => ({
    changes: {},
    event: noteEvent(
      deps.clock.now(),
      "workflow",
      `Work on the order started (execution ${current.executionName ?? "unknown"}).`,
    ),
  }));
  return {};
}
