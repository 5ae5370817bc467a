import { noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { checkPublications } from "../../orders/publication-checks.ts";
import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/**
 * The "verify now" button: checks every name at once; when all are published and the execution
 * is parked in its wait, wakes it so it moves on without waiting for the next scheduled check.
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/checks",
  { name: "RunChecks", needs: { table: "write", dcv: true, workflow: ["states:SendTaskSuccess"] } },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.status !== "PENDING_VALIDATION") {
      throw new ApiError(
        409,
        "NOT_WAITING_FOR_VALIDATION",
        `Order ${order.orderId} is ${order.status}; checks run only while it waits for validation.`,
      );
    }
    const now = deps.clock.now();
    const { validations, allPublished } = await checkPublications(order, deps.dcv, now);
    const updated = await updateOrder(deps.store, order.orderId, (current) =>
      current.status !== "PENDING_VALIDATION"
        ? undefined
        : {
            changes: { validations },
            event: noteEvent(
              now,
              "check",
              allPublished
                ? "Customer check: everything is published."
                : "Customer check: not everything is published yet.",
            ),
          },
    );
    let resumed = false;
    if (allPublished && updated.waitToken !== undefined) {
      try {
        await deps.workflow.sendTaskSuccess(updated.waitToken, { reason: "customer check passed" });
        resumed = true;
      } catch {
        // The execution already left its wait (its own check is running): nothing to wake.
      }
    }
    return jsonResponse(200, {
      id: order.orderId,
      allPublished,
      resumed,
      results: validations.map((validation) => ({
        domain: validation.domain,
        ok: validation.lastCheck?.ok ?? validation.status === "valid",
        cause: validation.lastCheck?.cause,
        detail: validation.lastCheck?.detail,
      })),
    });
  },
);
