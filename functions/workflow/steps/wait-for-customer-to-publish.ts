import { updateOrder } from "../../orders/order-updates.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderAndTaskToken } from "../step-inputs.ts";

/** Keeps the task token of the wait the execution is entering, so an early check can wake it. */
export const step = declareStep(
  "WaitForCustomerToPublish",
  { input: byOrderAndTaskToken, needs: { table: "write" } },
  async (deps, input) => {
    await updateOrder(deps.store, input.orderId, () => ({
      changes: { waitToken: input.taskToken },
    }));
    return {};
  },
);
