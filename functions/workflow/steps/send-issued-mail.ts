import type { InstallationRecord } from "../../domain/installation-check.ts";
import { issuedMail } from "../../mail/order-mails.ts";
import { checkInstallation, recordInstallation } from "../../orders/installation-checks.ts";
import { recordRenewalInstallation } from "../../orders/installation-recheck.ts";
import { loadOrder } from "../../orders/order-updates.ts";
import { mailOrderAsRead } from "../order-mail.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

/**
 * The automatic installation check's share of the step's 45 s, after the mail: it never holds
 * the workflow up longer, and never fails the step.
 */
export const AUTOMATIC_INSTALLATION_CHECK_MS = 15_000;

/**
 * Mails the issuance notice, then, for an order submitted with `installationCheck: true`, checks
 * what each name's server serves and records it on the order and in its history; a renewal's
 * check is recorded on the order it renewed too, which is looked at again after the grace period
 * when a name still serves the old certificate (functions/orders/installation-recheck.ts). A
 * check that cannot run is recorded as such, never thrown: the order is issued either way.
 */
export const step = declareStep(
  "SendIssuedMail",
  {
    input: byOrder,
    needs: { table: "write", mail: true, vaultRead: ["certificates"], installationCheck: true },
  },
  async (deps, input) => {
    const issued = await loadOrder(deps.store, input.orderId);
    if (issued.renewalOf !== undefined) {
      // A renewal whose certificate its order did not take (the order was revoked meanwhile)
      // is no news to install.
      const renewed = await deps.store.get(issued.renewalOf);
      if (renewed?.certificate?.serialNumber !== issued.certificate?.serialNumber) return {};
    }
    const order = await mailOrderAsRead(deps, issued, "Issuance notice", (mailed) =>
      issuedMail(mailed, deps.settings.publicApiUrl),
    );
    const checkedAt = deps.clock.now();
    if (order.installationCheck !== true || order.status !== "ISSUED") return {};
    let installation: InstallationRecord;
    try {
      installation = await checkInstallation(deps, order, {
        trigger: "issuance",
        timeBoundMs: AUTOMATIC_INSTALLATION_CHECK_MS,
      });
    } catch (error) {
      deps.logError(error);
      installation = {
        checkedAt: checkedAt.toISOString(),
        trigger: "issuance",
        results: [],
        // A renewal's check is the customer's on the order it renews.
        notRun: `the service could not run it; run it again with POST /v1/orders/${order.renewalOf ?? order.orderId}/installation-check.`,
      };
    }
    try {
      await recordInstallation(deps.store, order.orderId, installation);
      await recordRenewalInstallation(deps, order, installation);
    } catch (error) {
      deps.logError(error);
    }
    return {};
  },
);
