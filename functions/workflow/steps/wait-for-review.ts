import { describeReview, reviewTurn } from "../../domain/organization-review.ts";
import { loadOrder, noteEvent, statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderInWaitTurn, endTurn, type TurnEnd } from "../wait-loop.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

/**
 * One turn of the wait for the organization review (see wait-loop.ts), once every name is
 * validated: the order shows PENDING_REVIEW, keeps the task token for the operator's decision,
 * and moves on once the review is approved, or fails at the review's deadline.
 */
export const step = declareStep(
  "WaitForReview",
  {
    input: byOrderInWaitTurn,
    needs: { table: "write", workflow: ["states:SendTaskSuccess", "states:SendTaskFailure"] },
  },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    const now = deps.clock.now();
    // The token is stored in the same write that reads the review, so an operator's decision
    // either finds it or is read here. The order is judged as that write reads it: one that
    // left the wait meanwhile, or has no review, is refused unchanged.
    const waiting = await updateOrder(deps.store, order, (current) => {
      if (current.status !== "PENDING_VALIDATION" && current.status !== "PENDING_REVIEW") {
        throw new OrderNotInStep(
          `Order ${current.orderId} is ${current.status}, not PENDING_REVIEW.`,
        );
      }
      if (current.review === undefined) {
        throw new OrderNotInStep(`Order ${current.orderId} has no organization review.`);
      }
      return {
        changes: {
          waitToken: input.taskToken,
          ...(current.status === "PENDING_VALIDATION" ? { status: "PENDING_REVIEW" as const } : {}),
        },
        ...(current.status === "PENDING_VALIDATION"
          ? {
              event: statusEvent(
                now,
                "PENDING_REVIEW",
                `Every name is validated. ${describeReview(current.review).replace("{id}", current.orderId)}`,
              ),
            }
          : {}),
      };
    });
    const review = waiting.review;
    if (review === undefined) {
      throw new OrderNotInStep(`Order ${order.orderId} has no organization review.`);
    }
    const turn = reviewTurn(review, now);
    const end: TurnEnd =
      turn.kind === "approved"
        ? { kind: "done" }
        : turn.kind === "failed"
          ? { kind: "failed", error: turn.error, cause: turn.cause }
          : { kind: "wait", waitSeconds: turn.waitSeconds };
    if (turn.kind === "failed") {
      await updateOrder(deps.store, waiting, () => ({
        changes: {},
        event: noteEvent(now, "review", turn.cause),
      }));
    }
    await endTurn(deps.workflow, input.taskToken, input.turn, end, now);
    return {};
  },
);
