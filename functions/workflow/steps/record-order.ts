import { STATUS_KIND } from "../../domain/order-status.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export const step = declareStep(
  "RecordOrder",
  { input: byOrder, needs: { table: "write" } },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    // A resumed execution starts here too, with the order already part-way through.
    if (STATUS_KIND[order.status] === "final") {
      throw new OrderNotInStep(`Order ${order.orderId} is already ${order.status}.`);
    }
    await updateOrder(deps.store, order, (current) => ({
      changes: {},
      event: noteEvent(
        deps.clock.now(),
        "workflow",
        `Work on the order started (execution ${current.executionName ?? "unknown"}).`,
      ),
    }));
    return {};
  },
);
