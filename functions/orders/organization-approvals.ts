import { createHash } from "node:crypto";
import type { EvDetails, OrderRecord, Organization, ReviewRecord } from "../domain/order-record.ts";
import {
  ORGANIZATION_REUSE_DAYS,
  organizationFingerprint,
  organizationReusableUntil,
} from "../domain/organization-review.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";

/** The store's key of an organization's details: the hash of their canonical text. */
export function organizationKey(organization: Organization, ev?: EvDetails): string {
  return createHash("sha256").update(organizationFingerprint(organization, ev)).digest("hex");
}

/**
 * The review a new OV/EV order starts with: approved already when an operator approved the
 * same organization for this tenant and the approval is still reusable when the certificate may
 * be issued at the latest (`latestIssuance`: the reuse period counts up to issuance), else
 * waiting for the letter.
 */
export async function initialReview(
  store: OrderStore,
  order: { tenantId: string; organization?: Organization; ev?: EvDetails },
  deadline: Date,
  now: Date,
  latestIssuance: Date = now,
): Promise<ReviewRecord> {
  if (order.organization === undefined) {
    return { status: "awaiting-document", deadline: deadline.toISOString() };
  }
  const approval = await store.approvedOrganization(
    order.tenantId,
    organizationKey(order.organization, order.ev),
    latestIssuance.toISOString(),
  );
  if (approval === undefined) {
    return { status: "awaiting-document", deadline: deadline.toISOString() };
  }
  return {
    status: "approved",
    deadline: deadline.toISOString(),
    decidedAt: now.toISOString(),
    reusedFrom: approval.orderId,
    reason: `The same organization was approved on ${approval.approvedAt} (order ${approval.orderId}); Baseline Requirements allow reusing it for ${ORGANIZATION_REUSE_DAYS} days, until ${approval.reusableUntil}.`,
  };
}

/**
 * The review an order of `product` starts with, its deadline and latest issuance from the
 * workflow's settings (the whole validation and CA wait); none for DV.
 */
export async function reviewForNewOrder(
  store: OrderStore,
  order: {
    tenantId: string;
    product: "DV" | "OV" | "EV";
    organization?: Organization;
    ev?: EvDetails;
  },
  settings: Pick<
    WorkflowSettings,
    "reviewTimeoutSeconds" | "validationTimeoutSeconds" | "caDecisionTimeoutSeconds"
  >,
  now: Date,
): Promise<ReviewRecord | undefined> {
  if (order.product === "DV") return undefined;
  const after = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  return initialReview(
    store,
    {
      tenantId: order.tenantId,
      ...(order.organization === undefined ? {} : { organization: order.organization }),
      ...(order.ev === undefined ? {} : { ev: order.ev }),
    },
    after(settings.reviewTimeoutSeconds),
    now,
    after(settings.validationTimeoutSeconds + settings.caDecisionTimeoutSeconds),
  );
}

/** Keeps an approved order's organization for the tenant's later orders (398 days). */
export async function rememberApprovedOrganization(
  store: OrderStore,
  order: OrderRecord,
  approvedAt: Date,
): Promise<void> {
  if (order.organization === undefined) return;
  await store.recordApprovedOrganization(
    order.tenantId,
    organizationKey(order.organization, order.ev),
    {
      orderId: order.orderId,
      approvedAt: approvedAt.toISOString(),
      reusableUntil: organizationReusableUntil(approvedAt).toISOString(),
    },
  );
}
