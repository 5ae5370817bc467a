import type { ValidationRecord } from "../../domain/order-record.ts";
import { caaLookupOf, namesCaaForbids } from "../../orders/caa-checks.ts";
import { loadOrder, statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { nextWaitTurn, waitsOnlyForApprovers } from "../publication-cadence.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { firstTurn, type TurnResult } from "../wait-loop.ts";
import { CaaForbids, OrderNotInStep } from "../workflow-errors.ts";
import type { WorkflowSettings } from "../workflow-settings.ts";

/** Where the order stands after placing it, and the first turn of the wait for the customer. */
export interface Placement extends TurnResult {
  readonly alreadyValid: boolean;
}

/** The first turn: its check runs at once, then it waits as the cadence says from the start. */
function placement(
  validations: readonly ValidationRecord[],
  deadline: Date,
  settings: WorkflowSettings,
  now: Date,
): Placement {
  const alreadyValid = validations.every((validation) => validation.status === "valid");
  const next = nextWaitTurn(validations, deadline, settings, now);
  return { alreadyValid, ...firstTurn(next.kind === "check" ? next.waitSeconds : 1) };
}

export const step = declareStep(
  "PlaceOrderWithCa",
  { input: byOrder, needs: { table: "write", ca: true, dcv: true } },
  async (deps, input): Promise<Placement> => {
    const order = await loadOrder(deps.store, input.orderId);
    if (order.caOrderRef !== undefined) {
      const now = deps.clock.now();
      return placement(
        order.validations,
        new Date(order.validationDeadline ?? now.toISOString()),
        deps.settings,
        now,
      );
    }
    if (order.status !== "SUBMITTED") {
      throw new OrderNotInStep(`Order ${order.orderId} is ${order.status}, not SUBMITTED.`);
    }
    // CAA first (RFC 8659): a record that forbids the CA fails the order before the CA is asked.
    // A lookup without a verdict (SERVFAIL) does not: the checks keep the name unpublished.
    const caaLookup = caaLookupOf(deps.dcv);
    const caaIdentity =
      caaLookup === undefined ? undefined : await deps.ca.caaIdentity(order.tenantId);
    if (caaLookup !== undefined && caaIdentity !== undefined) {
      const forbidden = await namesCaaForbids(caaLookup, order, caaIdentity);
      if (forbidden.length > 0) {
        throw new CaaForbids(forbidden.map((name) => name.detail).join(" "));
      }
    }
    // The embedded CA takes the service's record of what this tenant proved (it is its RA).
    const reusable =
      deps.ca.kind === "embedded"
        ? [
            ...(await deps.store.provenNames(
              order.tenantId,
              order.names.map((name) => name.ascii),
              deps.clock.now().toISOString(),
            )),
          ]
        : [];
    const placed = await deps.ca.placeOrder({
      orderId: order.orderId,
      tenantId: order.tenantId,
      names: order.names,
      method: order.method,
      ...(order.approvers === undefined ? {} : { approvers: order.approvers }),
      ...(reusable.length === 0 ? {} : { reusable }),
      ...(order.profile === undefined ? {} : { profile: order.profile }),
      // A renewal names the certificate it replaces (RFC 9773 §5): the CA counts it as one.
      ...(order.replaces === undefined ? {} : { replaces: order.replaces }),
    });
    const now = deps.clock.now();
    // A CA may hold a name validated by someone else (one EAB key, one organisation at the CA):
    // only names this tenant itself proved, within the reuse period, skip the customer's proof.
    const heldByCa = placed.challenges
      .filter((challenge) => placed.alreadyValid || challenge.alreadyValidated === true)
      .map((challenge) => challenge.domain);
    const proven = await deps.store.provenNames(order.tenantId, heldByCa, now.toISOString());
    const validations: ValidationRecord[] = placed.challenges.map((challenge) => ({
      domain: challenge.domain,
      method: challenge.method,
      status: proven.has(challenge.domain) ? "valid" : "pending",
      instructions: challenge.instructions,
    }));
    const alreadyValid = validations.every((validation) => validation.status === "valid");
    const awaited = waitsOnlyForApprovers(validations) ? "approved by email" : "published";
    const waitingFor = validations.filter((validation) => validation.status !== "valid").length;
    const deadline = new Date(now.getTime() + deps.settings.validationTimeoutSeconds * 1000);
    await updateOrder(deps.store, order, () => ({
      changes: {
        status: "PENDING_VALIDATION",
        caOrderRef: placed.caOrderRef,
        ...(caaIdentity !== undefined ? { caaIdentity } : {}),
        validations,
        validationDeadline: deadline.toISOString(),
      },
      event: statusEvent(
        now,
        "PENDING_VALIDATION",
        alreadyValid
          ? "Every name was proven by this account within the reuse period, and the CA holds it validated."
          : `Order placed with the ${deps.ca.kind} CA; waiting for ${waitingFor} of ${validations.length} name(s) to be ${awaited} until ${deadline.toISOString()}.`,
      ),
    }));
    return placement(validations, deadline, deps.settings, now);
  },
);
