import { emailValidationProblem } from "../../domain/email-validation-dates.ts";
import { namesByApprover, sendApprovalRequests } from "../../orders/approval-requests.ts";
import { ApiError, RateLimited } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/**
 * Mails each approver who has not decided a new approval link (the secret is kept only as a
 * hash, so a link cannot be mailed twice: the new one replaces the old, which answers 410).
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/validation/resend",
  { name: "ResendApproval", needs: { table: "write", mail: true } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.status !== "PENDING_VALIDATION") {
      throw new ApiError(
        409,
        "NOT_WAITING_FOR_VALIDATION",
        `Order ${order.orderId} is ${order.status}; approval mails go out only while it waits for validation.`,
      );
    }
    if (namesByApprover(order).size === 0) {
      throw new ApiError(
        409,
        "NO_APPROVAL_PENDING",
        `No name of order ${order.orderId} waits for an approver.`,
      );
    }
    const now = deps.clock.now();
    const retired = emailValidationProblem(now);
    if (retired !== undefined) throw new ApiError(422, retired.code, retired.message);
    const interval = deps.settings.approvalResendIntervalSeconds;
    const claim =
      interval > 0
        ? await deps.store.claimInterval(`resend#${order.orderId}`, now, interval)
        : { allowed: true as const };
    if (!claim.allowed) {
      throw new RateLimited(
        `Approval mails of order ${order.orderId} were sent less than ${interval} s ago; retry in ${claim.retryAfterSeconds} s.`,
        claim.retryAfterSeconds,
      );
    }
    const mailedTo = await sendApprovalRequests(deps, order, {
      replace: true,
      why: "Approval request (sent again)",
    });
    return jsonResponse(200, { id: order.orderId, mailedTo });
  },
);
