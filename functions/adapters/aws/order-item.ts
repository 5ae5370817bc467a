import { type LifecycleView, lifecycleDueAt } from "../../domain/certificate-lifecycle.ts";
import type { OrderRecord } from "../../domain/order-record.ts";
import {
  LAYOUT_ATTRIBUTES,
  orderKey,
  REVIEW_QUEUE_PARTITION,
  renewalPartition,
  renewalShard,
  renewalSortKey,
  reviewQueueSortKey,
  tenantPartition,
  tenantSortKey,
} from "./order-table-design.ts";

/** A copy without properties that are undefined, at any depth (DynamoDB stores no undefined). */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((entry) => withoutUndefined(entry)) as T;
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) copy[key] = withoutUndefined(entry);
  }
  return copy as T;
}

/**
 * The ByRenewalDate keys, for ISSUED orders with a certificate only (never a renewal: its order
 * renews), at the time the order is next due for the renewal run.
 */
export function renewalIndexKeys(
  order: LifecycleView & Pick<OrderRecord, "orderId">,
): { GSI2PK: string; GSI2SK: string } | undefined {
  const due = lifecycleDueAt(order);
  if (due === undefined) return undefined;
  return {
    GSI2PK: renewalPartition(due, renewalShard(order.orderId)),
    GSI2SK: renewalSortKey(due, order.orderId),
  };
}

/** The ByReviewQueue keys, while an OV/EV order's letter awaits an operator's decision. */
export function reviewQueueKeys(
  order: Pick<OrderRecord, "orderId" | "status" | "review">,
): { GSI3PK: string; GSI3SK: string } | undefined {
  const review = order.review;
  if (review?.status !== "awaiting-decision" || review.awaitingSince === undefined)
    return undefined;
  if (!["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"].includes(order.status)) {
    return undefined;
  }
  return {
    GSI3PK: REVIEW_QUEUE_PARTITION,
    GSI3SK: reviewQueueSortKey(review.awaitingSince, order.orderId),
  };
}

export function toOrderItem(order: OrderRecord): Record<string, unknown> {
  return {
    ...withoutUndefined(order),
    ...orderKey(order.orderId),
    // A renewal is listed as its order's renewal, not as an order of the tenant's own.
    ...(order.renewalOf === undefined
      ? {
          GSI1PK: tenantPartition(order.tenantId),
          GSI1SK: tenantSortKey(order.createdAt, order.orderId),
        }
      : {}),
    ...renewalIndexKeys(order),
    ...reviewQueueKeys(order),
  };
}

export function fromOrderItem(item: Record<string, unknown>): OrderRecord {
  const record: Record<string, unknown> = { ...item };
  for (const attribute of LAYOUT_ATTRIBUTES) delete record[attribute];
  return record as unknown as OrderRecord;
}

/** A conditional write whose condition did not hold: nothing was written. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
