import {
  checkInstallation,
  INSTALLATION_CHECK_TIME_BOUND_MS,
  recordInstallation,
} from "../../orders/installation-checks.ts";
import { ApiError, RateLimited } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

/**
 * "Is my certificate installed?": connects to each name's HTTPS server (a wildcard at its base
 * name) and tells, per name, whether it serves this order's current certificate with its full
 * chain, and if not, what it serves instead. The result is recorded on the order.
 */
export const route = declareRoute(
  "POST /v1/orders/{id}/installation-check",
  {
    name: "RunInstallationCheck",
    needs: { table: "write", vaultRead: ["certificates"], installationCheck: true },
  },
  async (deps, { event, principal }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.status !== "ISSUED" || order.certificate === undefined) {
      throw new ApiError(
        409,
        "NOT_ISSUED",
        `Order ${order.orderId} is ${order.status}; an installation check needs an issued certificate.`,
      );
    }
    const now = deps.clock.now();
    const interval = deps.settings.customerCheckIntervalSeconds;
    const claim =
      interval > 0
        ? await deps.store.claimInterval(`installation-check#${order.orderId}`, now, interval)
        : { allowed: true as const };
    if (!claim.allowed) {
      throw new RateLimited(
        `Order ${order.orderId} had an installation check less than ${interval} s ago; retry in ${claim.retryAfterSeconds} s.`,
        claim.retryAfterSeconds,
      );
    }
    const installation = await checkInstallation(deps, order, {
      trigger: "api",
      timeBoundMs: INSTALLATION_CHECK_TIME_BOUND_MS,
    });
    await recordInstallation(deps.store, order.orderId, installation, {
      role: principal.role,
      tenantId: principal.tenantId,
    });
    return jsonResponse(200, {
      id: order.orderId,
      checkedAt: installation.checkedAt,
      certificateSerial: installation.certificateSerial,
      allOk: installation.results.every((result) => result.ok),
      results: installation.results,
    });
  },
);
