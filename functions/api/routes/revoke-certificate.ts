import * as z from "zod/mini";
import type { OrderRecord } from "../../domain/order-record.ts";
import { canTransition } from "../../domain/order-status.ts";
import {
  describeRevocationReason,
  REVOCATION_REASONS,
  type RevocationReason,
} from "../../domain/revocation-reasons.ts";
import { revokedMail } from "../../mail/lifecycle-mails.ts";
import { lineageCertificate, lineageOf } from "../../orders/certificate-lineage.ts";
import { noteEvent, statusEvent, updateOrder } from "../../orders/order-updates.ts";
import { cancelRenewalInFlight } from "../../orders/renewals.ts";
import { CaRejected, CaUnavailable } from "../../ports/certificate-authority.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { whoActed } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const revocationRequestSchema = z.strictObject({
  reason: z.enum(REVOCATION_REASONS as [RevocationReason, ...RevocationReason[]]),
  /** An earlier certificate of the order (hex serial); the current one when absent. */
  serial: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
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
    needs: {
      table: "write",
      vaultRead: ["certificates"],
      ca: true,
      mail: true,
      workflow: ["states:StopExecution"],
    },
  },
  async (deps, { event, principal, body: request }) => {
    const order = await tenantOrder(deps, event, principal);
    const currentSerial = order.certificate?.serialNumber ?? "";
    const chosen =
      request.serial === undefined
        ? (lineageOf(order)[0] ?? { serialNumber: currentSerial, heldBy: order.orderId })
        : lineageCertificate(order, request.serial);
    if (chosen === undefined) {
      throw new ApiError(
        404,
        "CERTIFICATE_NOT_FOUND",
        `Order ${order.orderId} has no certificate with serial ${request.serial}; its certificates are ${lineageOf(
          order,
        )
          .map((entry) => entry.serialNumber)
          .join(", ")}.`,
      );
    }
    const current = chosen.serialNumber === currentSerial;
    if (current && !canTransition(order.status, "REVOKED")) throw notRevocable(order);
    if ("revokedAt" in chosen && chosen.revokedAt !== undefined) {
      return jsonResponse(200, orderView(order));
    }
    // After a renewal, the certificate is held under the renewal that issued it.
    const stored = await deps.vault.getCertificate(chosen.heldBy);
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

    const by = { role: principal.role, tenantId: principal.tenantId };
    const now = deps.clock.now();
    const described = `${describeRevocationReason(request.reason)} (${request.reason})`;
    // Decided on the order as stored: a renewal may have replaced the certificate meanwhile,
    // and then it is an earlier one that was revoked, and the order goes on.
    let revokedCurrent = false;
    const revoked = await updateOrder(deps.store, order.orderId, (stored) => {
      revokedCurrent = false;
      if (stored.certificate?.serialNumber === chosen.serialNumber || chosen.serialNumber === "") {
        if (!canTransition(stored.status, "REVOKED")) return undefined;
        revokedCurrent = true;
        return {
          changes: { status: "REVOKED" },
          event: {
            ...statusEvent(
              now,
              "REVOKED",
              `Revoked at the request of ${whoActed(principal)}: ${described}.`,
            ),
            by,
          },
        };
      }
      return {
        changes: {
          certificates: lineageOf(stored).map((entry) =>
            entry.serialNumber === chosen.serialNumber
              ? { ...entry, revokedAt: now.toISOString(), revocationReason: request.reason }
              : entry,
          ),
        },
        event: {
          ...noteEvent(
            now,
            "revocation",
            `Earlier certificate ${chosen.serialNumber} revoked at the request of ${whoActed(principal)}: ${described}; the current certificate ${stored.certificate?.serialNumber ?? ""} is not affected.`,
          ),
          by,
        },
      };
    });
    if (current && !revokedCurrent && revoked.status !== "ISSUED") throw notRevocable(revoked);
    // A revoked order is not renewed: a renewal still running (same key, perhaps) is stopped.
    if (revokedCurrent) {
      await cancelRenewalInFlight(
        deps,
        revoked,
        `the certificate it would replace was revoked (${request.reason})`,
      );
    }
    await deps.mailer.send(
      revokedMail(
        revoked,
        { serialNumber: chosen.serialNumber, reason: request.reason, by: whoActed(principal) },
        revokedCurrent,
      ),
    );
    return jsonResponse(200, orderView(revoked));
  },
);
