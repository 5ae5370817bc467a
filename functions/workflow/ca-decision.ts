import type { DependenciesFor } from "../composition/needs.ts";
import type { OrderRecord, ValidationRecord } from "../domain/order-record.ts";
import { reviewPending, reviewTurn } from "../domain/organization-review.ts";
import { dnsValidationReuseDays } from "../domain/validity-policy.ts";
import { noteEvent, updateOrder } from "../orders/order-updates.ts";
import { caPollDelaySeconds } from "./ca-polling.ts";
import { type CaDecision, caOrderRefOf } from "./ca-progress.ts";
import { CaTimedOut, CaValidationFailed } from "./workflow-errors.ts";

const DAY_MS = 86_400_000;

/**
 * Looks at the CA's decision on the order's names (look number `attempt`) and records it: every
 * name valid (and the names this order proved, for reuse), the CA's refusal, or its findings
 * while it tries again. Past the CA deadline a pending decision fails the order.
 */
export async function lookAtCaDecision(
  deps: DependenciesFor<{ table: "write"; ca: true }>,
  order: OrderRecord,
  attempt: number,
): Promise<CaDecision> {
  const progress = await deps.ca.validationProgress(caOrderRefOf(order));
  const now = deps.clock.now();
  switch (progress.state) {
    case "valid": {
      // The names this order made the tenant prove (not those an earlier proof let through):
      // later orders may reuse that proof for the reuse period, and never extend it unproven.
      const provenNow = order.validations
        .filter((validation) => validation.status !== "valid")
        .map((validation) => validation.domain);
      const reusableUntil = new Date(now.getTime() + dnsValidationReuseDays(now) * DAY_MS);
      if (provenNow.length > 0) {
        await deps.store.recordProvenNames(order.tenantId, provenNow, reusableUntil.toISOString());
      }
      const validated = await updateOrder(deps.store, order, (current) => ({
        changes: {
          validations: current.validations.map(
            (validation): ValidationRecord => ({ ...validation, status: "valid" }),
          ),
        },
        event: noteEvent(now, "ca", "The CA validated every name."),
      }));
      if (validated.review !== undefined && reviewPending(validated.review)) {
        const turn = reviewTurn(validated.review, now);
        // The wait for the review's first turn: until its deadline, unless a decision ends it;
        // past the deadline, long enough for the turn's function to fail it (a cold start too).
        const waitSeconds = turn.kind === "wait" ? turn.waitSeconds : 60;
        return { attempt, valid: true, reviewPending: true, waitSeconds, done: false };
      }
      return { attempt, valid: true, reviewPending: false, waitSeconds: 1 };
    }
    case "invalid": {
      await updateOrder(deps.store, order, (current) => ({
        changes: {
          validations: current.validations.map(
            (validation): ValidationRecord =>
              validation.status === "valid" ? validation : { ...validation, status: "invalid" },
          ),
        },
      }));
      throw new CaValidationFailed(`The CA could not validate the order: ${progress.reason}`);
    }
    case "pending": {
      if (order.caDeadline !== undefined && now >= new Date(order.caDeadline)) {
        throw new CaTimedOut(`The CA did not decide before ${order.caDeadline}.`);
      }
      const problems = new Map(
        (progress.problems ?? []).map((problem) => [problem.domain, problem.detail]),
      );
      if (problems.size > 0) {
        // The CA's own finding, shown as the name's latest check while it tries again.
        await updateOrder(deps.store, order, (current) => ({
          changes: {
            validations: current.validations.map((validation): ValidationRecord => {
              const detail = problems.get(validation.domain);
              return detail === undefined || validation.status === "valid"
                ? validation
                : {
                    ...validation,
                    lastCheck: { at: now.toISOString(), ok: false, cause: "CA_REPORTED", detail },
                  };
            }),
          },
          event: noteEvent(
            now,
            "ca",
            `The CA could not validate yet and was asked to try again: ${[...problems.values()].join("; ")}`,
          ),
        }));
      }
      return {
        attempt,
        valid: false,
        reviewPending: false,
        waitSeconds: caPollDelaySeconds(deps.settings, attempt, progress.retryAfterSeconds),
      };
    }
    default: {
      const unknownState: never = progress;
      throw new Error(`Unknown CA progress ${JSON.stringify(unknownState)}`);
    }
  }
}
