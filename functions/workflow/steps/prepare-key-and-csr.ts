import { lineageOf } from "../../orders/certificate-lineage.ts";
import { loadOrder, noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { exportPrivateKeyPkcs8, generateKeyPair } from "../../pki/key-pairs.ts";
import { declareStep } from "../step-declaration.ts";
import { byOrder } from "../step-inputs.ts";
import { CsrRejected } from "../workflow-errors.ts";

export const step = declareStep(
  "PrepareKeyAndCsr",
  {
    input: byOrder,
    needs: {
      table: "write",
      vaultRead: ["csrs", "private-keys"],
      vaultWrite: ["csrs", "private-keys"],
      // Key generation (RSA-4096 above all) is CPU-bound: more memory is more CPU.
      memoryMiB: 1024,
    },
  },
  async (deps, input) => {
    const order = await loadOrder(deps.store, input.orderId);
    const names = order.names.map((name) => name.ascii);
    const existingCsr = await deps.vault.getCsr(order.orderId);

    if (order.keySource.kind === "uploaded-csr") {
      if (existingCsr === undefined) throw new CsrRejected("The uploaded CSR is missing.");
      // CSR code (asn1js, @peculiar/x509) loads when a CSR is checked or built, not at start.
      const { verifyCsr } = await import("../../pki/csr-verify.ts");
      const verification = await verifyCsr(existingCsr, names);
      if (!verification.ok) {
        throw new CsrRejected(verification.defects.map((defect) => defect.message).join(" "));
      }
      await updateOrder(deps.store, order, () => ({
        changes: {},
        event: noteEvent(deps.clock.now(), "csr", "The uploaded CSR was verified."),
      }));
      return {};
    }

    // A rerun after a crash keeps the key and CSR it already made.
    if (existingCsr !== undefined && (await deps.vault.hasPrivateKey(order.orderId))) return {};

    // A renewal with the same key and CSR takes them from the order it renews: those of its
    // current certificate, held by the order or by the renewal that issued it.
    if (order.renewalOf !== undefined && order.rekey !== true) {
      const renewed = await loadOrder(deps.store, order.renewalOf);
      const holder = lineageOf(renewed)[0]?.heldBy ?? renewed.orderId;
      const key = await deps.vault.getPrivateKey(holder);
      const csr = existingCsr ?? (await deps.vault.getCsr(holder));
      if (key === undefined || csr === undefined) {
        throw new CsrRejected(`Order ${order.renewalOf} has no key and CSR to renew with.`);
      }
      await deps.vault.putPrivateKey(order.orderId, key);
      if (existingCsr === undefined) await deps.vault.putCsr(order.orderId, csr);
      await updateOrder(deps.store, order, () => ({
        changes: {},
        event: noteEvent(
          deps.clock.now(),
          "csr",
          `The key and CSR of order ${order.renewalOf} are used again.`,
        ),
      }));
      return {};
    }

    const keyType = order.keySource.keyType;
    const keys = await generateKeyPair(keyType);
    const organization = order.organization;
    const { buildCsr } = await import("../../pki/csr-build.ts");
    const csrPem = await buildCsr({
      keys,
      names,
      subject:
        organization === undefined
          ? undefined
          : {
              organization: organization.name,
              organizationalUnit: organization.unit,
              locality: organization.locality,
              state: organization.state,
              country: organization.country,
            },
    });
    await deps.vault.putPrivateKey(order.orderId, await exportPrivateKeyPkcs8(keys.privateKey));
    await deps.vault.putCsr(order.orderId, csrPem);
    await updateOrder(deps.store, order, () => ({
      changes: {},
      event: noteEvent(
        deps.clock.now(),
        "csr",
        `A new key pair (${keyType}) and its CSR were generated.`,
      ),
    }));
    return {};
  },
);
