import * as z from "zod/mini";
import type { Contact, EvDetails, OrderRecord, Organization } from "../../domain/order-record.ts";
import { updateOrder } from "../../orders/order-updates.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const text = (max: number) => z.string().check(z.maxLength(max));

const resubmissionSchema = z.strictObject({
  organization: z.optional(
    z.strictObject({
      name: text(256),
      unit: z.optional(text(256)),
      locality: text(256),
      state: text(256),
      country: text(8),
    }),
  ),
  ev: z.optional(
    z.strictObject({
      jurisdictionCountry: text(8),
      jurisdictionState: z.optional(text(256)),
      jurisdictionLocality: z.optional(text(256)),
      businessCategory: text(64),
      registrationNumber: text(256),
    }),
  ),
  contact: z.optional(
    z.strictObject({
      name: z.string().check(z.minLength(1), z.maxLength(200)),
      email: text(254),
      phone: z.optional(text(40)),
    }),
  ),
});

/**
 * The customer's answer to a rejected (or still undecided) review: corrected organization,
 * EV or contact details — and a new letter uploaded before — go back to the review queue.
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/resubmission",
  {
    name: "ResubmitReview",
    access: ["customer"],
    body: { contentType: "application/json", schema: resubmissionSchema },
    needs: { table: "write" },
  },
  async (deps, { event, principal, body }) => {
    const order = await tenantOrder(deps, event, principal);
    const review = order.review;
    if (review === undefined) {
      throw new ApiError(
        422,
        "NO_REVIEW",
        `Order ${order.orderId} is ${order.product}: it has no organization review.`,
      );
    }
    refuseClosedOrApproved(order);
    if ((order.documents ?? []).length === 0) {
      throw new ApiError(
        409,
        "LETTER_REQUIRED",
        `Upload the signed confirmation letter first: POST /v1/orders/${order.orderId}/documents.`,
      );
    }
    const { validateApplicantDetails } = await import("../../domain/order-request.ts");
    const checked = validateApplicantDetails(order.product, {
      contact: body.contact ?? order.contact,
      ...((body.organization ?? order.organization) === undefined
        ? {}
        : { organization: body.organization ?? order.organization }),
      ...((body.ev ?? order.ev) === undefined ? {} : { ev: body.ev ?? order.ev }),
    });
    if (!checked.ok) {
      throw new ApiError(
        422,
        checked.problems[0]?.code ?? "INVALID_DETAILS",
        checked.problems.map((problem) => problem.message).join(" "),
        { problems: checked.problems },
      );
    }
    const now = deps.clock.now();
    const changed = [
      body.organization === undefined ? "" : "organization",
      body.ev === undefined ? "" : "registration details",
      body.contact === undefined ? "" : "contact",
    ].filter((part) => part !== "");
    const resubmitted = await updateOrder(deps.store, order.orderId, (current) => {
      // Judged again as written: an operator's approval or the deadline may have come meanwhile.
      refuseClosedOrApproved(current);
      if (current.review === undefined) return undefined;
      return {
        changes: {
          contact: checked.value.contact as Contact,
          ...(checked.value.organization === undefined
            ? {}
            : { organization: checked.value.organization as Organization }),
          ...(checked.value.ev === undefined ? {} : { ev: checked.value.ev as EvDetails }),
          review: {
            status: "awaiting-decision",
            deadline: current.review.deadline,
            awaitingSince: now.toISOString(),
          },
        },
        event: {
          at: now.toISOString(),
          type: "review",
          message: `Resubmitted for review${changed.length === 0 ? "" : ` with corrected ${changed.join(", ")}`}.`,
          by: { role: principal.role, tenantId: principal.tenantId },
        },
      };
    });
    return jsonResponse(200, orderView(resubmitted));
  },
);

/** A review that is over (final order) or approved takes no resubmission. */
function refuseClosedOrApproved(order: OrderRecord): void {
  if (!["SUBMITTED", "PENDING_VALIDATION", "PENDING_REVIEW"].includes(order.status)) {
    throw new ApiError(
      409,
      "REVIEW_CLOSED",
      `Order ${order.orderId} is ${order.status}: its review is over.`,
    );
  }
  if (order.review?.status === "approved") {
    throw new ApiError(
      409,
      "REVIEW_APPROVED",
      `The organization of order ${order.orderId} is approved already.`,
    );
  }
}
