import type { ValidationRecord } from "../../domain/order-record.ts";
import { caPollDelaySeconds } from "../ca-polling.ts";
import { loadOrder, noteEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";
import { CaTimedOut, CaValidationFailed, OrderNotInStep } from "../workflow-errors.ts";

export interface CaDecision {
  readonly attempt: number;
  readonly valid: boolean;
  readonly waitSeconds: number;
}

function caOrderRefOf(order: { orderId: string; caOrderRef?: string }): string {
  if (order.caOrderRef === undefined) {
    throw new OrderNotInStep(`Order ${order.orderId} has not been placed with a CA.`);
  }
  return order.caOrderRef;
}

export async function askCaToValidate(
  deps: WorkflowDependencies,
  input: { orderId: string },
): Promise<CaDecision> {
  const order = await loadOrder(deps.store, input.orderId);
  await deps.ca.requestValidation(caOrderRefOf(order));
  const now = deps.clock.now();
  const caDeadline = new Date(now.getTime() + deps.settings.caDecisionTimeoutSeconds * 1000);
  await updateOrder(deps.store, order.orderId, () => ({
    changes: { caDeadline: caDeadline.toISOString() },
    event: noteEvent(now, "ca", "Everything is published; the CA was asked to validate."),
  }));
  return { attempt: 0, valid: false, waitSeconds: 1 };
}

export async function checkCaDecision(
  deps: WorkflowDependencies,
  input: { orderId: string; attempt: number },
): Promise<CaDecision> {
  const order = await loadOrder(deps.store, input.orderId);
  const progress = await deps.ca.validationProgress(caOrderRefOf(order));
  const now = deps.clock.now();
  const attempt = input.attempt + 1;
  switch (progress.state) {
    case "valid": {
      await updateOrder(deps.store, order.orderId, (current) => ({
        changes: {
          validations: current.validations.map(
            (validation): ValidationRecord => ({ ...validation, status: "valid" }),
          ),
        },
        event: noteEvent(now, "ca", "The CA validated every name."),
      }));
      return { attempt, valid: true, waitSeconds: 1 };
    }
    case "invalid": {
      await updateOrder(deps.store, order.orderId, (current) => ({
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
      return {
        attempt,
        valid: false,
        waitSeconds: caPollDelaySeconds(deps.settings, attempt, progress.retryAfterSeconds),
      };
    }
    default: {
      const unknownState: never = progress;
      throw new Error(`Unknown CA progress ${JSON.stringify(unknownState)}`);
    }
  }
}
