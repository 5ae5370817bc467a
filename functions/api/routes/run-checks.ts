import { noteEvent, updateOrder } from "../../orders/order-updates.ts";
import {
  allNamesPublished,
  checkPublications,
  mergeChecks,
} from "../../orders/publication-checks.ts";
import { TaskNotWaiting } from "../../ports/workflow-engine.ts";
import { ApiError, RateLimited } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/** API Gateway gives up on an integration after 29 s: the checks answer well before. */
const CHECKS_TIME_BOUND_MS = 20_000;

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
    const interval = deps.settings.customerCheckIntervalSeconds;
    const claim =
      interval > 0
        ? await deps.store.claimInterval(`checks#${order.orderId}`, now, interval)
        : { allowed: true as const };
    if (!claim.allowed) {
      throw new RateLimited(
        `Order ${order.orderId} was checked less than ${interval} s ago; retry in ${claim.retryAfterSeconds} s.`,
        claim.retryAfterSeconds,
      );
    }
    const checked = await checkPublications(order, deps.dcv, now, CHECKS_TIME_BOUND_MS);
    // The checks ran on the order as read before them: merge per name into what is stored now.
    const updated = await updateOrder(deps.store, order, (current) => {
      if (current.status !== "PENDING_VALIDATION") return undefined;
      const merged = mergeChecks(current.validations, checked.validations);
      return {
        changes: { validations: merged.validations },
        event: noteEvent(
          now,
          "check",
          merged.allPublished
            ? "Customer check: everything is published."
            : "Customer check: not everything is published yet.",
        ),
      };
    });
    const validations = updated.validations;
    const allPublished = allNamesPublished(validations);
    let resumed = false;
    if (allPublished && updated.waitToken !== undefined) {
      try {
        await deps.workflow.sendTaskSuccess(updated.waitToken, {
          done: true,
          reason: "customer check passed",
        });
        resumed = true;
      } catch (error) {
        // No task waits on this token: its own turn ended it, or the next turn is starting and
        // will find what this check merged.
        if (!(error instanceof TaskNotWaiting)) throw error;
      }
    }
    return jsonResponse(200, {
      id: order.orderId,
      allPublished,
      resumed,
      results: validations.map((validation) =>
        validation.status === "valid"
          ? { domain: validation.domain, ok: true }
          : {
              domain: validation.domain,
              ok: validation.lastCheck?.ok ?? false,
              cause: validation.lastCheck?.cause,
              detail: validation.lastCheck?.detail,
              servers: validation.lastCheck?.servers,
              caa: validation.caa,
            },
      ),
    });
  },
);
