import { loadOrder } from "../../orders/order-updates.ts";
import { caOrderRefOf, type IssuancePlan, issuancePlan } from "../ca-progress.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderAndAttempt } from "../step-inputs.ts";
import { CaTimedOut } from "../workflow-errors.ts";

export const step = declareStep(
  "CheckCertificateReady",
  { input: byOrderAndAttempt, needs: { table: "read", ca: true } },
  async (deps, input): Promise<IssuancePlan> => {
    const attempt = input.attempt + 1;
    const order = await loadOrder(deps.store, input.orderId);
    const progress = await deps.ca.certificateProgress(caOrderRefOf(order));
    if (
      progress.state === "processing" &&
      order.caDeadline !== undefined &&
      deps.clock.now() >= new Date(order.caDeadline)
    ) {
      throw new CaTimedOut(`The CA did not issue before ${order.caDeadline}.`);
    }
    return issuancePlan(deps.settings, attempt, progress);
  },
);
