import { issuedMail } from "../../mail/order-mails.ts";
import { checkInstallation, recordInstallation } from "../../orders/installation-checks.ts";
import { loadOrder } from "../../orders/order-updates.ts";
import { mailOrder } from "../order-mail.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";

/**
 * The automatic installation check's share of the step's 45 s, after the mail: it never holds
 * the workflow up longer, and never fails the step.
 */
export const AUTOMATIC_INSTALLATION_CHECK_MS = 15_000;

/**
 * Mails the issuance notice, then, for an order submitted with `installationCheck: true`, checks
 * what each name's server serves and records it on the order and in its history. A check that
 * cannot run is recorded as such, never thrown: the order is issued either way.
 */
export const step = declareStep(
  "SendIssuedMail",
  {
    input: byOrder,
    needs: { table: "write", mail: true, vaultRead: ["certificates"], installationCheck: true },
  },
  async (deps, input) => {
    await mailOrder(deps, input.orderId, "Issuance notice", (order) =>
      issuedMail(order, deps.settings.publicApiUrl),
    );
    const checkedAt = deps.clock.now();
    let wanted = false;
    try {
      const order = await loadOrder(deps.store, input.orderId);
      wanted = order.installationCheck === true && order.status === "ISSUED";
      if (!wanted) return {};
      const installation = await checkInstallation(deps, order, {
        trigger: "issuance",
        timeBoundMs: AUTOMATIC_INSTALLATION_CHECK_MS,
      });
      await recordInstallation(deps.store, order.orderId, installation);
    } catch (error) {
      deps.logError(error);
      if (!wanted) return {};
      try {
        await recordInstallation(deps.store, input.orderId, {
          checkedAt: checkedAt.toISOString(),
          trigger: "issuance",
          results: [],
          notRun: `the service could not run it; run it again with POST /v1/orders/${input.orderId}/installation-check.`,
        });
      } catch (recordError) {
        deps.logError(recordError);
      }
    }
    return {};
  },
);
