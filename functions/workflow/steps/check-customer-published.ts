import { nextCheckDelay } from "../../domain/backoff.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { checkPublications, summarizeChecks } from "../../orders/publication-checks.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderAndAttempt } from "../step-inputs.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export interface CheckPlan {
  readonly attempt: number;
  readonly allPublished: boolean;
  readonly deadlinePassed: boolean;
  /** Seconds until the next check; at least 1 (Step Functions timeouts must be positive). */
  readonly waitSeconds: number;
}

export const step = declareStep(
  "CheckCustomerPublished",
  { input: byOrderAndAttempt, needs: { table: "write", dcv: true } },
  async (deps, input): Promise<CheckPlan> => {
    const order = await loadOrder(deps.store, input.orderId);
    if (order.status !== "PENDING_VALIDATION") {
      throw new OrderNotInStep(
        `Order ${order.orderId} is ${order.status}, not PENDING_VALIDATION.`,
      );
    }
    const now = deps.clock.now();
    const { validations, allPublished } = await checkPublications(order, deps.dcv, now);
    const attempt = input.attempt + 1;
    const deadline = new Date(order.validationDeadline ?? now.toISOString());
    const next = allPublished
      ? undefined
      : nextCheckDelay({
          attempt,
          startedAt: new Date(deadline.getTime() - deps.settings.validationTimeoutSeconds * 1000),
          deadline,
          now,
          minSeconds: deps.settings.checkMinSeconds,
          maxSeconds: deps.settings.checkMaxSeconds,
        });
    const deadlinePassed = next?.kind === "deadline-passed";
    const waitSeconds = next?.kind === "check" ? Math.max(1, Math.ceil(next.waitSeconds)) : 1;
    const outcome = allPublished
      ? "everything is published"
      : deadlinePassed
        ? "the deadline has passed"
        : `next check in ${waitSeconds} s`;
    await updateOrder(deps.store, order.orderId, () => ({
      changes: { validations, waitToken: undefined },
      event: noteEvent(
        now,
        "check",
        `Check ${attempt}: ${summarizeChecks(validations)}; ${outcome}.`,
      ),
    }));
    return { attempt, allPublished, deadlinePassed, waitSeconds };
  },
);
