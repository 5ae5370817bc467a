import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

const MAX_LIMIT = 100;

/** The operators' queue: OV/EV orders whose letter awaits a decision, longest waiting first. */
export const route = declareRoute(
  "GET /v1/reviews",
  {
    name: "ListReviews",
    access: ["operator"],
    needs: { table: "read", tableIndexes: ["ByReviewQueue"] },
  },
  async (deps, { event }) => {
    const asked = Number(event.queryStringParameters?.limit ?? 50);
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_LIMIT) : 50;
    const queued = await deps.store.awaitingReview(limit);
    return jsonResponse(200, {
      reviews: queued.map((order) => ({
        orderId: order.orderId,
        tenantId: order.tenantId,
        product: order.product,
        names: order.names.map((name) => name.display),
        status: order.status,
        organization: order.organization,
        ev: order.ev,
        contact: order.contact,
        awaitingSince: order.review?.awaitingSince,
        deadline: order.review?.deadline,
        documents: (order.documents ?? []).map((document) => ({
          ...document,
          url: `/v1/orders/${order.orderId}/documents/${document.id}`,
        })),
      })),
    });
  },
);
