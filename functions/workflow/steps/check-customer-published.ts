import { nextCheckDelay } from "../../domain/backoff.ts";
import { checkMessage, lastCheckNumber } from "../../orders/order-rounds.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import {
  allNamesPublished,
  checkPublications,
  mergeChecks,
  summarizeChecks,
} from "../../orders/publication-checks.ts";
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
    // The count (and so the backoff) goes on where it was, also in a resumed execution.
    const attempt =
      Math.max(input.attempt, lastCheckNumber(await deps.store.history(order.orderId))) + 1;
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
    const updated = await updateOrder(deps.store, order.orderId, (current) => ({
      // Merged per name: a name the CA validated or a customer's check meanwhile stays.
      changes: {
        validations: mergeChecks(current.validations, validations).validations,
        waitToken: undefined,
      },
      event: noteEvent(
        now,
        "check",
        checkMessage(attempt, `${summarizeChecks(validations)}; ${outcome}.`),
      ),
    }));
    // What the order now holds decides: a customer's check may have found the rest meanwhile.
    const publishedNow = allNamesPublished(updated.validations);
    return {
      attempt,
      allPublished: publishedNow,
      deadlinePassed: publishedNow ? false : deadlinePassed,
      waitSeconds,
    };
  },
);
