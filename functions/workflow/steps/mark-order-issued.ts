import { statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { promoteRenewal } from "../../orders/renewals.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export const step = declareStep(
  "MarkOrderIssued",
  { input: byOrder, needs: { table: "write" } },
  async (deps, input) => {
    const issued = await updateOrder(deps.store, input.orderId, (order) => {
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
    // A renewal's certificate becomes its order's current one (a rerun finds it done).
    if (issued.renewalOf !== undefined) await promoteRenewal(deps.store, issued, deps.clock.now());
    return {};
  },
);
