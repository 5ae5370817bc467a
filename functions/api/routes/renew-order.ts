import * as z from "zod/mini";
import { startRenewal } from "../../orders/renewals.ts";
import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const renewalSchema = z._default(
  z.strictObject({ rekey: z._default(z.optional(z.boolean()), false) }),
  { rekey: false },
);

/**
 * Renews an issued order now: by default with the same key and CSR, `{"rekey": true}` with a new
 * key. The order stays ISSUED while the renewal runs (its `renewal.status` shows how far).
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/renewals",
  {
    name: "RenewOrder",
    body: { contentType: "application/json", schema: renewalSchema },
    needs: {
      table: "write",
      vaultRead: ["csrs"],
      vaultWrite: ["csrs"],
      workflow: ["states:StartExecution"],
    },
  },
  async (deps, { event, principal, body }) => {
    const order = await tenantOrder(deps, event, principal);
    // A renewal in flight answers 409 below, once startRenewal made sure it was written and
    // started: a caller that stopped after claiming it is completed here, not only by the run.
    const start = await startRenewal(deps, order.orderId, {
      trigger: "manual",
      rekey: body?.rekey === true,
    });
    switch (start.kind) {
      case "started":
        return jsonResponse(
          202,
          { id: order.orderId, renewal: { orderId: start.renewalId, rekey: body?.rekey === true } },
          { location: `${deps.settings.publicApiUrl}/v1/orders/${order.orderId}` },
        );
      case "running":
        throw new ApiError(
          409,
          "RENEWAL_IN_FLIGHT",
          `Order ${order.orderId} is being renewed already (renewal ${start.renewalId}).`,
        );
      case "refused":
        throw new ApiError(start.code === "REKEY_NEEDS_CSR" ? 422 : 409, start.code, start.reason);
      default: {
        const unknownStart: never = start;
        throw new Error(`Unknown renewal start ${JSON.stringify(unknownStart)}`);
      }
    }
  },
);
