import { reviewPending } from "../../domain/organization-review.ts";
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
    const waiting = order.status === "PENDING_VALIDATION" || order.status === "PENDING_REVIEW";
    if (!waiting && order.status !== "ISSUING") {
      throw new OrderNotInStep(
        `Order ${order.orderId} is ${order.status}, not PENDING_VALIDATION or PENDING_REVIEW.`,
      );
    }
    // An OV/EV certificate names what an operator approved: never before the approval.
    if (reviewPending(order.review)) {
      throw new OrderNotInStep(`Order ${order.orderId}'s organization review is not approved.`);
    }
    const csrPem = await deps.vault.getCsr(order.orderId);
    if (csrPem === undefined) throw new OrderNotInStep(`Order ${order.orderId} has no CSR.`);
    if (waiting) {
      const now = deps.clock.now();
      const caDeadline = new Date(now.getTime() + deps.settings.caDecisionTimeoutSeconds * 1000);
      await updateOrder(deps.store, order, () => ({
        changes: { status: "ISSUING", caDeadline: caDeadline.toISOString() },
        event: statusEvent(now, "ISSUING", "The CSR was sent to the CA for issuance."),
      }));
    }
    // ISSUING is recorded before the CA hears of the CSR, so a rerun (a retry after the CA was
    // unreachable, or a resumed execution) finalizes again: the CA answers a repeated finalize
    // with the progress of the first one, and finalizes one it never received.
    // What the certificate names is read from the order now: a resubmission may have corrected
    // the organization or EV details before they were approved.
    const progress = await deps.ca.finalize(caOrderRef, csrPem, order.validityDays, {
      product: order.product,
      ...(order.organization === undefined ? {} : { organization: order.organization }),
      ...(order.ev === undefined ? {} : { ev: order.ev }),
    });
    return issuancePlan(deps.settings, 0, progress);
  },
);
