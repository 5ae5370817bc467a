import type { FailureCodeName, OrderRecord } from "../../domain/order-record.ts";
import { STATUS_KIND } from "../../domain/order-status.ts";
import { statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { summarizeChecks } from "../../orders/publication-checks.ts";
import { recordRenewalFailure } from "../../orders/renewals.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrderAndError } from "../step-inputs.ts";

export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * The customer-facing message of a caught error's cause. Lambda hands its errors to Step Functions
 * as a JSON cause ({"errorType","errorMessage","trace":[...]}): only the message is kept, never the
 * type or the stack trace. A cause that is not such an object (the local host passes the message
 * itself) is the message.
 */
export function causeMessage(cause: string | undefined): string {
  if (cause === undefined) return "";
  const trimmed = cause.trim();
  if (!trimmed.startsWith("{")) return cause;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return cause;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return cause;
  const fields = parsed as Record<string, unknown>;
  if (typeof fields.errorMessage === "string") return fields.errorMessage;
  // A JSON cause without a message (a trace or type alone) tells the customer nothing.
  return "";
}

/** Maps the name of the error that stopped the execution to a failure code and a message. */
export function describeFailure(
  order: OrderRecord,
  error: CaughtError,
): { code: FailureCodeName; message: string } {
  const cause = causeMessage(error.Cause);
  switch (error.Error) {
    case "ValidationTimedOut":
      return {
        code: "VALIDATION_TIMED_OUT",
        message: `Not every name was published before the deadline ${order.validationDeadline ?? ""}. Last checks: ${summarizeChecks(order.validations.filter((validation) => validation.status !== "valid"))}.`,
      };
    case "CaValidationFailed":
      return {
        code: "VALIDATION_FAILED",
        message: cause || "The CA could not validate control of the names.",
      };
    case "ApprovalDeclined":
      return {
        code: "VALIDATION_FAILED",
        message: cause || "The approver declined.",
      };
    case "ReviewRejected":
      return {
        code: "REVIEW_REJECTED",
        message: cause || "The organization review was rejected.",
      };
    case "ReviewTimedOut":
      return {
        code: "REVIEW_TIMED_OUT",
        message: cause || "The organization review was not completed before its deadline.",
      };
    case "CaaForbids":
      return {
        code: "CAA_FORBIDS",
        message: cause || "A CAA record of one of the names forbids the CA to issue.",
      };
    case "CaRejected":
    case "CsrRejected":
      return { code: "CA_REJECTED", message: cause || "The CA rejected the order." };
    case "CaUnavailable":
    case "CaTimedOut":
      return { code: "CA_UNAVAILABLE", message: cause || "The CA could not be reached." };
    default:
      // Causes of unexpected errors are not shown: they may hold internals.
      return {
        code: "INTERNAL",
        message: `An internal error (${error.Error}) stopped the order. Resubmit it, or contact support with the order id.`,
      };
  }
}

export const step = declareStep(
  "RecordFailure",
  { input: byOrderAndError, needs: { table: "write" } },
  async (deps, input) => {
    const order = await updateOrder(deps.store, input.orderId, (current) => {
      if (STATUS_KIND[current.status] === "final") return undefined;
      const failure = describeFailure(current, input.error);
      return {
        changes: { status: "FAILED", failure, waitToken: undefined },
        event: statusEvent(deps.clock.now(), "FAILED", `${failure.code}: ${failure.message}`),
      };
    });
    // A renewal that failed leaves its order's certificate serving, and the order says why.
    if (order.renewalOf !== undefined && order.status === "FAILED") {
      await recordRenewalFailure(deps.store, order, deps.clock.now());
    }
    return { code: order.failure?.code ?? null };
  },
);
