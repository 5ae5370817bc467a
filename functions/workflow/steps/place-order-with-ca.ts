import type { ValidationRecord } from "../../domain/order-record.ts";
import { loadOrder, statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { OrderNotInStep } from "../workflow-errors.ts";

export const step = declareStep(
  "PlaceOrderWithCa",
  { input: byOrder, needs: { table: "write", ca: true } },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    if (order.caOrderRef !== undefined) {
      return {
        alreadyValid: order.validations.every((validation) => validation.status === "valid"),
      };
    }
    if (order.status !== "SUBMITTED") {
      throw new OrderNotInStep(`Order ${order.orderId} is ${order.status}, not SUBMITTED.`);
    }
    const placed = await deps.ca.placeOrder({
      orderId: order.orderId,
      tenantId: order.tenantId,
      names: order.names,
      method: order.method,
    });
    const now = deps.clock.now();
    const validations: ValidationRecord[] = placed.challenges.map((challenge) => ({
      domain: challenge.domain,
      method: challenge.method,
      status: placed.alreadyValid || challenge.alreadyValidated === true ? "valid" : "pending",
      instructions: challenge.instructions,
    }));
    const waitingFor = validations.filter((validation) => validation.status !== "valid").length;
    const deadline = new Date(now.getTime() + deps.settings.validationTimeoutSeconds * 1000);
    await updateOrder(deps.store, order.orderId, () => ({
      changes: {
        status: "PENDING_VALIDATION",
        caOrderRef: placed.caOrderRef,
        validations,
        validationDeadline: deadline.toISOString(),
      },
      event: statusEvent(
        now,
        "PENDING_VALIDATION",
        placed.alreadyValid
          ? "The CA already holds valid authorizations for every name."
          : `Order placed with the ${deps.ca.kind} CA; waiting for ${waitingFor} of ${validations.length} name(s) to be published until ${deadline.toISOString()}.`,
      ),
    }));
    return { alreadyValid: placed.alreadyValid };
  },
);
