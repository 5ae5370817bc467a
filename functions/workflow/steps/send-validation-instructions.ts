import { instructionsMail } from "../../mail/order-mails.ts";
import { sendApprovalRequests } from "../../orders/approval-requests.ts";
import { loadOrder } from "../../orders/order-updates.ts";
import { mailOrder } from "../order-mail.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

/**
 * Tells the customer what to publish and, for email validation, mails each approver a
 * single-use approval link (an approver mailed in an earlier run of this step is not mailed again).
 */
export const step = declareStep(
  "SendValidationInstructions",
  { input: byOrder, needs: { table: "write", mail: true } },
  async (deps, input) => {
    await mailOrder(deps, input.orderId, "Validation instructions", (order) =>
      instructionsMail(order, deps.settings.publicApiUrl),
    );
    const order = await loadOrder(deps.store, input.orderId);
    if (order.status === "PENDING_VALIDATION") {
      await sendApprovalRequests(deps, order, { replace: false, why: "Approval request" });
    }
    return {};
  },
);
