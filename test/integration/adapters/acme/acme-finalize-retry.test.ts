import * as acme from "acme-client";
import { describe, expect, it, onTestFinished } from "vitest";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { systemClock } from "../../../../functions/composition/composition.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import { caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import type { IssuancePlan } from "../../../../functions/workflow/ca-progress.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import {
  csrFor,
  memoryVault,
  pebbleForFile,
  validatedOrder,
} from "../../../support/acme-test-kit.ts";
import { runDeclaredStep, type StepDependencies } from "../../../support/declared-steps.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";

const bed = pebbleForFile();

/**
 * Sends the next `count` finalize requests to a closed port instead of the CA, as a network
 * failure before the CA hears of the CSR would; until the calling test finishes.
 */
function finalizeUnreachable(count: number) {
  let left = count;
  const interceptor = acme.axios.interceptors.request.use((config) => {
    if (left > 0 && config.method?.toLowerCase() === "post" && /finalize/.test(config.url ?? "")) {
      left -= 1;
      config.url = "https://127.0.0.1:1/finalize";
    }
    return config;
  });
  onTestFinished(() => acme.axios.interceptors.request.eject(interceptor));
}

describe("FinalizeWithCsr with an ACME CA (Pebble)", () => {
  it("finalizes on the state machine's retry when the first finalize never reached the CA", async () => {
    // Prepare: a validated CA order, and the order in the store waiting for issuance.
    const { vault } = memoryVault();
    const ca = bed.authority(vault);
    const names = ["finalize-retry.certflow.test"];
    const orderId = "ord_finalizeretry";
    const placed = await validatedOrder(
      ca,
      { orderId, names, method: "dns-txt" },
      bed.publishTxtValues,
    );
    const store = createMemoryOrderStore(systemClock);
    const ascii = names.map((name) => ({ ascii: name, display: name, wildcard: false }));
    const record = sampleOrder({ orderId, names: ascii, caOrderRef: placed.caOrderRef });
    await store.create(record, { at: record.createdAt, type: "note", message: "seeded" });
    const seeded = await store.get(orderId);
    if (seeded === undefined) throw new Error("order not stored");
    await store.update(seeded, { status: "PENDING_VALIDATION" });
    await vault.putCsr(orderId, await csrFor(names));
    const deps: StepDependencies = {
      clock: systemClock,
      store,
      vault,
      mailer: createMemoryMailer(),
      dcv: { check: async () => ({ ok: true as const }) },
      ca,
      caProfile: caProfileOf("acme"),
      settings: DEFAULT_WORKFLOW_SETTINGS,
      newOrderId: () => "ord_unused",
      serviceInfo: {},
      logError: () => undefined,
    };
    finalizeUnreachable(1);

    // Act: the first attempt, the retry the state machine makes, then its polling.
    const first = await runDeclaredStep(deps, "FinalizeWithCsr", { orderId }).catch(
      (error: unknown) => error,
    );
    let plan = (await runDeclaredStep(deps, "FinalizeWithCsr", { orderId })) as IssuancePlan;
    for (let polls = 0; !plan.ready && polls < 200; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      plan = (await runDeclaredStep(deps, "CheckCertificateReady", {
        orderId,
        attempt: plan.attempt,
      })) as IssuancePlan;
    }

    // Assess
    expect((first as Error).name).toBe("CaUnavailable");
    expect((first as Error).message).toMatch(/could not be reached \(ECONNREFUSED/);
    expect(plan.ready).toBe(true);
    const issued = await ca.certificateProgress(placed.caOrderRef);
    if (issued.state !== "issued") throw new Error(`not issued: ${issued.state}`);
    expect(parseCertificate(issued.certificatePem).names).toEqual(names);
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
  });
});
