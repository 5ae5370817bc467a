import * as z from "zod/mini";
import type { OrderRecord } from "../../domain/order-record.ts";
import { canTransition } from "../../domain/order-status.ts";
import {
  describeRevocationReason,
  REVOCATION_REASONS,
  type RevocationReason,
} from "../../domain/revocation-reasons.ts";
import { statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { CaRejected, CaUnavailable } from "../../ports/certificate-authority.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { whoActed } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const revocationRequestSchema = z.strictObject({
  reason: z.enum(REVOCATION_REASONS as [RevocationReason, ...RevocationReason[]]),
});

const notRevocable = (order: OrderRecord) =>
  new ApiError(
    409,
    "NOT_REVOCABLE",
    `Order ${order.orderId} is ${order.status}: only an issued certificate can be revoked.`,
  );

/** Asks the CA that issued the certificate to revoke it, then records REVOKED on the order. */
export const route = declareRoute(
  "POST /v1/orders/{id}/revocation",
  {
    name: "RevokeCertificate",
    body: { contentType: "application/json", schema: revocationRequestSchema },
    needs: { table: "write", vaultRead: ["certificates"], ca: true },
  },
  async (deps, { event, principal, body: request }) => {
    const order = await tenantOrder(deps, event, principal);
    if (!canTransition(order.status, "REVOKED")) throw notRevocable(order);
    const stored = await deps.vault.getCertificate(order.orderId);
    if (stored === undefined) throw notRevocable(order);

    try {
      await deps.ca.revoke({
        tenantId: order.tenantId,
        certificatePem: stored.certificatePem,
        reason: request.reason,
      });
    } catch (error) {
      if (error instanceof CaUnavailable) {
        throw new ApiError(
          503,
          "CA_UNAVAILABLE",
          "The certificate authority could not be reached; the certificate is not revoked yet. Try again shortly.",
        );
      }
      if (error instanceof CaRejected) {
        throw new ApiError(
          422,
          "CA_REJECTED",
          `The certificate authority refused: ${error.message}`,
        );
      }
      throw error;
    }

    const message = `Revoked at the request of ${whoActed(principal)}: ${describeRevocationReason(request.reason)} (${request.reason}).`;
    const revoked = await updateOrder(deps.store, order.orderId, (current) =>
      canTransition(current.status, "REVOKED")
        ? {
            changes: { status: "REVOKED" },
            event: {
              ...statusEvent(deps.clock.now(), "REVOKED", message),
              by: { role: principal.role, tenantId: principal.tenantId },
            },
          }
        : undefined,
    );
    if (revoked.status !== "REVOKED") throw notRevocable(revoked);
    return jsonResponse(200, orderView(revoked));
  },
);
