import { updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";

/** Keeps the task token of the wait the execution is entering, so an early check can wake it. */
export async function parkOrder(
  deps: WorkflowDependencies,
  input: { orderId: string; taskToken: string },
) {
  await updateOrder(deps.store, input.orderId, () => ({ changes: { waitToken: input.taskToken } }));
  return {};
}
