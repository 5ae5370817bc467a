import { describe, expect, it } from "vitest";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";
import { csrFor, memoryVault, pebbleForFile, placeOrder } from "../../../support/acme-test-kit.ts";

const bed = pebbleForFile();

describe("ACME adapter against Pebble: giving up a cancelled order", () => {
  it("deactivates the order's authorizations, so the CA can never issue it", async () => {
    // Prepare
    const ca = bed.authority(memoryVault().vault);
    const names = ["abandoned.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_abandon", names, method: "http-file" });

    // Act
    await ca.abandon(placed.caOrderRef);
    await ca.abandon(placed.caOrderRef);
    const progress = await ca.validationProgress(placed.caOrderRef);
    const finalizing = ca.finalize(placed.caOrderRef, await csrFor(names), 90);

    // Assess
    expect(progress.state).toBe("invalid");
    await expect(finalizing).rejects.toBeInstanceOf(CaRejected);
  });
});
