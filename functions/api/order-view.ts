import { whyNotRenewing, willRenew } from "../domain/certificate-lifecycle.ts";
import type { OrderRecord } from "../domain/order-record.ts";
import { lineageOf } from "../orders/certificate-lineage.ts";

/** The CA's suggested renewal window for the current certificate (RFC 9773), once it gave one. */
function renewalWindowView(order: OrderRecord) {
  const window = order.certificate?.renewalWindow;
  if (window?.start === undefined || window.end === undefined) return undefined;
  return { start: window.start, end: window.end, explanationUrl: window.explanationUrl };
}

/** The order as the API shows it (architecture.md's order view). */
export function orderView(order: OrderRecord, renewing?: OrderRecord) {
  // A renewal in flight: its own progress and validations (the order itself stays ISSUED).
  const inFlight = order.renewal?.inFlight;
  const renewalStatus =
    inFlight === undefined
      ? undefined
      : {
          orderId: inFlight.orderId,
          trigger: inFlight.trigger,
          rekey: inFlight.rekey,
          startedAt: inFlight.startedAt,
          ...(renewing === undefined || renewing.orderId !== inFlight.orderId
            ? {}
            : {
                status: renewing.status,
                validationDeadline: renewing.validationDeadline,
                validations: renewing.validations.map((validation) => ({
                  domain: validation.domain,
                  method: validation.method,
                  status: validation.status,
                  instructions: validation.instructions,
                  lastCheck: validation.lastCheck,
                })),
              }),
        };
  return {
    id: order.orderId,
    status: order.status,
    product: order.product,
    profile: order.profile,
    domains: order.names.map((name) => name.display),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    validationDeadline: order.validationDeadline,
    validations: order.validations.map((validation) => ({
      domain: validation.domain,
      method: validation.method,
      status: validation.status,
      // A cancelled order asks nothing more of the customer.
      instructions: order.status === "CANCELLED" ? undefined : validation.instructions,
      lastCheck: validation.lastCheck,
      caa: validation.caa,
    })),
    organization: order.organization,
    ev: order.ev,
    review:
      order.review === undefined
        ? undefined
        : {
            status: order.review.status,
            reason: order.review.reason,
            deadline: order.review.deadline,
            decidedAt: order.review.decidedAt,
            reusedFrom: order.review.reusedFrom,
          },
    documents: order.documents?.map((document) => ({
      ...document,
      url: `/v1/orders/${order.orderId}/documents/${document.id}`,
    })),
    certificate: order.certificate,
    certificates:
      order.certificate === undefined
        ? undefined
        : lineageOf(order).map(({ heldBy: _heldBy, ...certificate }) => certificate),
    renewal:
      order.renewalOf !== undefined
        ? undefined
        : {
            auto: order.autoRenew !== false,
            nextAt:
              order.status === "ISSUED" && willRenew(order)
                ? order.certificate?.renewAt
                : undefined,
            planMonths: order.planMonths,
            planEndsAt: order.planEndsAt,
            notRenewing:
              order.status === "ISSUED" && !willRenew(order) ? whyNotRenewing(order) : undefined,
            window: renewalWindowView(order),
            status: renewalStatus,
            lastFailure: order.renewal?.lastFailure,
          },
    failure: order.failure,
    warnings: order.warnings.length > 0 ? order.warnings : undefined,
    execution: order.executionName === undefined ? undefined : { name: order.executionName },
    renewalOf: order.renewalOf,
    installationCheck: order.installationCheck,
    installation:
      order.installation === undefined
        ? undefined
        : { ...order.installation, recheckAt: order.installationRecheckAt },
  };
}
