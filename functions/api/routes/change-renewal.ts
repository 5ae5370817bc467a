import * as z from "zod/mini";
import { noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const renewalSettingsSchema = z.strictObject({ autoRenew: z.boolean() });

/** Switches automatic renewal of an order on or off. */
export const route = declareRoute(
  "PUT /v1/orders/{id}/renewal",
  {
    name: "ChangeRenewal",
    body: { contentType: "application/json", schema: renewalSettingsSchema },
    needs: { table: "write" },
  },
  async (deps, { event, principal, body }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.renewalOf !== undefined) {
      throw new ApiError(
        409,
        "IS_A_RENEWAL",
        `Order ${order.orderId} is a renewal of ${order.renewalOf}; change that order's renewal.`,
      );
    }
    const now = deps.clock.now();
    const updated = await updateOrder(deps.store, order.orderId, (current) =>
      (current.autoRenew !== false) === body.autoRenew
        ? undefined
        : {
            changes: { autoRenew: body.autoRenew },
            event: {
              ...noteEvent(
                now,
                "renewal",
                body.autoRenew
                  ? "Automatic renewal switched on."
                  : "Automatic renewal switched off: the certificate will not be renewed by itself.",
              ),
              by: { role: principal.role, tenantId: principal.tenantId },
            },
          },
    );
    return jsonResponse(200, orderView(updated));
  },
);
