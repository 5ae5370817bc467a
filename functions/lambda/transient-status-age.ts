import type { Clock } from "../domain/clock.ts";
import type { OrderRecord, OrderStatusName } from "../domain/order-record.ts";
import { STATUS_KIND } from "../domain/order-status.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";

/** The metric operators alarm on: how long an order has been in its transient status. */
export const TRANSIENT_STATUS_AGE_METRIC = "TransientStatusAgeSeconds";

/**
 * When the order entered its current status, from what the workflow stores: PENDING_VALIDATION
 * starts when the validation deadline is set (deadline minus the validation timeout), ISSUING
 * when the CSR goes to the CA (CA deadline minus the CA timeout); otherwise the creation time.
 */
export function statusEnteredAt(order: OrderRecord, settings: WorkflowSettings): Date {
  const before = (iso: string | undefined, seconds: number) =>
    iso === undefined ? undefined : new Date(new Date(iso).getTime() - seconds * 1000);
  const entered =
    order.status === "PENDING_VALIDATION"
      ? before(order.validationDeadline, settings.validationTimeoutSeconds)
      : order.status === "ISSUING"
        ? before(order.caDeadline, settings.caDecisionTimeoutSeconds)
        : undefined;
  return entered ?? new Date(order.createdAt);
}

export interface TransientAge {
  readonly orderId: string;
  readonly status: OrderStatusName;
  readonly seconds: number;
}

/**
 * The order store a step sees, reporting the age of every transient order it reads. Steps run
 * on every order in flight (the check loops run at least hourly), so an order that stays in a
 * status longer than the workflow allows shows up in the metric without a table scan.
 */
export function reportingTransientAge(
  store: OrderStore,
  context: { clock: Clock; settings: WorkflowSettings; report: (age: TransientAge) => void },
): OrderStore {
  return {
    ...store,
    create: (...args) => store.create(...args),
    update: (...args) => store.update(...args),
    history: (...args) => store.history(...args),
    listByTenant: (...args) => store.listByTenant(...args),
    dueForRenewal: (...args) => store.dueForRenewal(...args),
    provenNames: (...args) => store.provenNames(...args),
    recordProvenNames: (...args) => store.recordProvenNames(...args),
    countUse: (...args) => store.countUse(...args),
    claimInterval: (...args) => store.claimInterval(...args),
    async get(orderId) {
      const order = await store.get(orderId);
      if (order !== undefined && STATUS_KIND[order.status] === "transient") {
        const entered = statusEnteredAt(order, context.settings);
        context.report({
          orderId: order.orderId,
          status: order.status,
          seconds: Math.max(0, (context.clock.now().getTime() - entered.getTime()) / 1000),
        });
      }
      return order;
    },
  };
}
