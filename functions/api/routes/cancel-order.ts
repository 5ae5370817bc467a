import { canTransition } from "../../domain/order-status.ts";
import { statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { whoActed } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

export const route = declareRoute(
  "POST /v1/orders/{id}/cancellation",
  { name: "CancelOrder", needs: { table: "write", ca: true, workflow: ["states:StopExecution"] } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.renewalOf !== undefined) {
      // Its order would wait for it for ever: a renewal ends by issuing or failing.
      throw new ApiError(
        409,
        "IS_A_RENEWAL",
        `Order ${order.orderId} is a renewal of ${order.renewalOf}; to stop renewing, switch its automatic renewal off (PUT /v1/orders/${order.renewalOf}/renewal).`,
      );
    }
    if (!canTransition(order.status, "CANCELLED")) {
      throw new ApiError(
        409,
        "NOT_CANCELLABLE",
        `Order ${order.orderId} is ${order.status} and can no longer be cancelled.`,
      );
    }
    const cancelled = await updateOrder(deps.store, order.orderId, (current) =>
      canTransition(current.status, "CANCELLED")
        ? {
            changes: { status: "CANCELLED", waitToken: undefined },
            event: {
              ...statusEvent(deps.clock.now(), "CANCELLED", `Cancelled by ${whoActed(principal)}.`),
              by: { role: principal.role, tenantId: principal.tenantId },
            },
          }
        : undefined,
    );
    if (cancelled.status !== "CANCELLED") {
      throw new ApiError(
        409,
        "NOT_CANCELLABLE",
        `Order ${order.orderId} is ${cancelled.status} and can no longer be cancelled.`,
      );
    }
    if (cancelled.executionName !== undefined) {
      try {
        await deps.workflow.stopExecution(
          cancelled.executionName,
          `Order cancelled by ${whoActed(principal)}.`,
        );
      } catch (error) {
        deps.logError(error);
      }
    }
    // The CA can then never issue it, and nothing the service published for it stays behind.
    if (cancelled.caOrderRef !== undefined) {
      try {
        await deps.ca.abandon(cancelled.caOrderRef);
      } catch (error) {
        deps.logError(error);
      }
    }
    return jsonResponse(200, orderView(cancelled));
  },
);
