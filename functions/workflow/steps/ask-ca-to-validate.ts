import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { lookAtCaDecision } from "../ca-decision.ts";
import { type CaDecision, caOrderRefOf } from "../ca-progress.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

/**
 * Tells the CA that everything is published and takes its first answer: CAs often decide within
 * milliseconds, and a look here costs no state of its own.
 */
export const step = declareStep(
  "AskCaToValidate",
  { input: byOrder, needs: { table: "write", ca: true } },
  async (deps, input): Promise<CaDecision> => {
    const order = await loadOrder(deps.store, input.orderId);
    // Names approved by email were validated by the service itself, the CA's RA.
    const emailApproved = order.validations
      .filter((v) => v.instructions.method === "email" && v.status === "published")
      .map((validation) => validation.domain);
    await deps.ca.requestValidation(caOrderRefOf(order), { emailApproved });
    const now = deps.clock.now();
    const caDeadline = new Date(now.getTime() + deps.settings.caDecisionTimeoutSeconds * 1000);
    // A rerun (a retry after a hiccup, a resumed execution) keeps the deadline it set.
    const asked = await updateOrder(deps.store, order, (current) => ({
      changes: { caDeadline: current.caDeadline ?? caDeadline.toISOString(), waitToken: undefined },
      event: noteEvent(now, "ca", "Everything is published; the CA was asked to validate."),
    }));
    return lookAtCaDecision(deps, asked, 1);
  },
);
