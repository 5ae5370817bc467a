import { statusEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export async function markOrderIssued(deps: WorkflowDependencies, input: { orderId: string }) {
  await updateOrder(deps.store, input.orderId, (order) => {
    if (order.status === "ISSUED") return undefined;
    if (order.certificate === undefined) {
      throw new OrderNotInStep(`Order ${order.orderId} has no stored certificate.`);
    }
    return {
      changes: { status: "ISSUED", waitToken: undefined },
      event: statusEvent(
        deps.clock.now(),
        "ISSUED",
        `Issued; renewal planned for ${order.certificate.renewAt}.`,
      ),
    };
  });
  return {};
}
