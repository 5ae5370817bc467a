import {
  type PlannedRenewal,
  plannedRenewal,
  type RenewalInfoAnswer,
} from "../../domain/renewal-information.ts";
import { renewalTime } from "../../domain/validity-policy.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { askRenewalWindow } from "../../orders/renewal-windows.ts";
import type { CaDirectory } from "../../ports/ca-directory.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { CaValidationFailed, OrderNotInStep } from "../workflow-errors.ts";

/** The CA's window for the certificate; never an error: issuance does not wait on it. */
async function windowAtIssuance(
  caDirectory: CaDirectory,
  certId: string,
  logError: (error: unknown) => void,
): Promise<RenewalInfoAnswer & { readonly reason?: string }> {
  try {
    return await askRenewalWindow(caDirectory, certId);
  } catch (error) {
    // Unexpected: for operators' logs, not the customer's history.
    logError(error);
    return { kind: "failed" };
  }
}

/** What the certificate's event says about its renewal. */
function renewalNote(plan: PlannedRenewal, failure: string | undefined): string {
  const window = plan.renewalWindow;
  if (window?.start !== undefined && window.end !== undefined) {
    const why = window.explanationUrl === undefined ? "" : ` (${window.explanationUrl})`;
    return ` The CA suggests renewing between ${window.start} and ${window.end}${why}: renewal planned for ${plan.renewAt}.`;
  }
  if (window !== undefined) {
    return ` The CA's renewal window could not be read (${failure ?? "no usable answer"}): renewal planned for ${plan.renewAt}, the window asked for again at ${window.nextFetchAt}.`;
  }
  return "";
}

export const step = declareStep(
  "StoreCertificate",
  {
    input: byOrder,
    needs: { table: "write", vaultWrite: ["certificates"], ca: true, caDirectory: true },
  },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    if (order.caOrderRef === undefined || order.status !== "ISSUING") {
      throw new OrderNotInStep(`Order ${order.orderId} is ${order.status}, not ISSUING.`);
    }
    const progress = await deps.ca.certificateProgress(order.caOrderRef);
    if (progress.state !== "issued") {
      throw new OrderNotInStep(`The CA has not issued order ${order.orderId} yet.`);
    }
    // Certificate reading (asn1js) loads when a certificate is stored, not at start.
    const { parseCertificate } = await import("../../pki/certificate-info.ts");
    const info = parseCertificate(progress.certificatePem);
    const issuedNames = new Set(info.names.map((name) => name.toLowerCase()));
    const missing = order.names.filter((name) => !issuedNames.has(name.ascii));
    if (missing.length > 0) {
      throw new CaValidationFailed(
        `The CA issued a certificate without ${missing.map((name) => name.ascii).join(", ")}.`,
      );
    }
    await deps.vault.putCertificate(order.orderId, progress.certificatePem, progress.chainPems);
    // RFC 9773: the CA's renewal window, asked for right after issuance, when the CA offers one.
    const { ariCertIdOf } = await import("../../pki/ari-cert-id.ts");
    const certId = ariCertIdOf(progress.certificatePem);
    const answer =
      certId === undefined
        ? undefined
        : await windowAtIssuance(deps.caDirectory, certId, deps.logError);
    const now = deps.clock.now();
    const plan: PlannedRenewal =
      certId === undefined || answer === undefined
        ? {
            renewAt: renewalTime({
              notBefore: info.notBefore,
              notAfter: info.notAfter,
            }).toISOString(),
          }
        : plannedRenewal({
            certId,
            notBefore: info.notBefore,
            notAfter: info.notAfter,
            answer,
            now,
            random: deps.random ?? Math.random,
          });
    await updateOrder(deps.store, order, () => ({
      changes: {
        certificate: {
          serialNumber: info.serialNumber,
          notBefore: info.notBefore.toISOString(),
          notAfter: info.notAfter.toISOString(),
          sha256Fingerprint: info.sha256Fingerprint,
          renewAt: plan.renewAt,
          ...(plan.renewalWindow === undefined ? {} : { renewalWindow: plan.renewalWindow }),
        },
      },
      event: noteEvent(
        now,
        "certificate",
        `Certificate ${info.serialNumber} stored with its chain (valid until ${info.notAfter.toISOString()}).${renewalNote(plan, answer?.reason)}`,
      ),
    }));
    return {};
  },
);
