import * as z from "zod/mini";
import { reviewRejectedMail } from "../../mail/order-mails.ts";
import { updateOrder } from "../../orders/order-updates.ts";
import { rememberApprovedOrganization } from "../../orders/organization-approvals.ts";
import { TaskNotWaiting } from "../../ports/workflow-engine.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/** The statuses in which an order's review is open: before and while the workflow waits for it. */
const REVIEWABLE: readonly string[] = ["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"];

const decisionSchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  reason: z.optional(z.string().check(z.maxLength(1000))),
});

/**
 * An operator's decision on an OV/EV order's organization, once a letter arrived. Approval
 * wakes an order waiting in PENDING_REVIEW and is remembered for the tenant's later orders;
 * a rejection (reason required) is mailed, and the order waits for a resubmission.
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/review",
  {
    name: "DecideReview",
    access: ["operator"],
    body: { contentType: "application/json", schema: decisionSchema },
    needs: { table: "write", mail: true, workflow: ["states:SendTaskSuccess"] },
  },
  async (deps, { event, principal, body }) => {
    const order = await tenantOrder(deps, event, principal);
    const reason = body.reason?.replace(/\p{Cc}+/gu, " ").trim() || undefined;
    if (body.decision === "reject" && reason === undefined) {
      throw new ApiError(
        422,
        "REASON_REQUIRED",
        "Say why the review is rejected: the customer reads it.",
      );
    }
    const now = deps.clock.now();
    const notDeciding = (current: typeof order) =>
      new ApiError(
        409,
        "REVIEW_NOT_AWAITING_DECISION",
        current.review === undefined
          ? `Order ${current.orderId} is ${current.product}: it has no organization review.`
          : !REVIEWABLE.includes(current.status)
            ? `Order ${current.orderId} is ${current.status}: its review is over.`
            : `The review of order ${current.orderId} is ${current.review.status}, not awaiting a decision.`,
      );
    const decided = await updateOrder(deps.store, order.orderId, (current) => {
      const review = current.review;
      const open = REVIEWABLE.includes(current.status);
      if (review === undefined || !open || review.status !== "awaiting-decision") {
        throw notDeciding(current);
      }
      return {
        changes: {
          review: {
            status: body.decision === "approve" ? "approved" : "rejected",
            deadline: review.deadline,
            decidedAt: now.toISOString(),
            ...(reason === undefined ? {} : { reason }),
          },
        },
        event: {
          at: now.toISOString(),
          type: "review",
          message:
            body.decision === "approve"
              ? `The organization review was approved${reason === undefined ? "" : `: ${reason}`}.`
              : `The organization review was rejected: ${reason}`,
          by: { role: principal.role, tenantId: principal.tenantId },
        },
      };
    });
    if (body.decision === "approve") {
      await rememberApprovedOrganization(deps.store, decided, now);
      if (decided.status === "PENDING_REVIEW" && decided.waitToken !== undefined) {
        try {
          await deps.workflow.sendTaskSuccess(decided.waitToken, {
            done: true,
            reason: "organization approved",
          });
        } catch (error) {
          if (!(error instanceof TaskNotWaiting)) throw error;
        }
      }
    } else {
      await deps.mailer.send(reviewRejectedMail(decided, deps.settings.publicApiUrl));
    }
    return jsonResponse(200, orderView(decided));
  },
);
