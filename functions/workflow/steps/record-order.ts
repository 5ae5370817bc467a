import { STATUS_KIND } from "../../domain/order-status.ts";
import { loadOrder, noteEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export async function recordOrder(deps: WorkflowDependencies, input: { orderId: string }) {
  const order = await loadOrder(deps.store, input.orderId);
  // A resumed execution starts here too, with the order already part-way through.
  if (STATUS_KIND[order.status] === "final") {
    throw new OrderNotInStep(`Order ${order.orderId} is already ${order.status}.`);
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
