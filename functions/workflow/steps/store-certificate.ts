import { renewalTime } from "../../domain/validity-policy.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { CaValidationFailed, OrderNotInStep } from "../workflow-errors.ts";

export const step = declareStep(
  "StoreCertificate",
  { input: byOrder, needs: { table: "write", vaultWrite: ["certificates"], ca: true } },
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
    const renewAt = renewalTime({ notBefore: info.notBefore, notAfter: info.notAfter });
    await updateOrder(deps.store, order.orderId, () => ({
      changes: {
        certificate: {
          serialNumber: info.serialNumber,
          notBefore: info.notBefore.toISOString(),
          notAfter: info.notAfter.toISOString(),
          sha256Fingerprint: info.sha256Fingerprint,
          renewAt: renewAt.toISOString(),
        },
      },
      event: noteEvent(
        deps.clock.now(),
        "certificate",
        `Certificate ${info.serialNumber} stored with its chain (valid until ${info.notAfter.toISOString()}).`,
      ),
    }));
    return {};
  },
);
