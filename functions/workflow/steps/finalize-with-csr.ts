import { loadOrder, statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { caOrderRefOf, type IssuancePlan, issuancePlan } from "../ca-progress.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export const step = declareStep(
  "FinalizeWithCsr",
  { input: byOrder, needs: { table: "write", vaultRead: ["csrs"], ca: true } },
  async (deps, input): Promise<IssuancePlan> => {
    const order = await loadOrder(deps.store, input.orderId);
    const caOrderRef = caOrderRefOf(order);
    // A rerun after the CA already accepted the CSR only asks how far it got.
    if (order.status === "ISSUING") {
      return issuancePlan(deps.settings, 0, await deps.ca.certificateProgress(caOrderRef));
    }
    if (order.status !== "PENDING_VALIDATION") {
      throw new OrderNotInStep(
        `Order ${order.orderId} is ${order.status}, not PENDING_VALIDATION.`,
      );
    }
    const csrPem = await deps.vault.getCsr(order.orderId);
    if (csrPem === undefined) throw new OrderNotInStep(`Order ${order.orderId} has no CSR.`);
    const now = deps.clock.now();
    const caDeadline = new Date(now.getTime() + deps.settings.caDecisionTimeoutSeconds * 1000);
    await updateOrder(deps.store, order.orderId, () => ({
      changes: { status: "ISSUING", caDeadline: caDeadline.toISOString() },
      event: statusEvent(now, "ISSUING", "The CSR was sent to the CA for issuance."),
    }));
    const progress = await deps.ca.finalize(caOrderRef, csrPem, order.validityDays);
    return issuancePlan(deps.settings, 0, progress);
  },
);
