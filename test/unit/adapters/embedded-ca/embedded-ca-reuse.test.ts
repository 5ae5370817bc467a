import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { buildCsr } from "../../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../../functions/pki/key-pairs.ts";
import type { Publication } from "../../../../functions/ports/dcv-checker.ts";
import { orderName } from "../../../support/email-approvals.ts";
import { memoryVault } from "../../../support/renewal-fixtures.ts";

const NAMES: OrderName[] = [orderName("shop.example.com"), orderName("*.example.org")];

/** An embedded CA whose DCV checks pass unless `published` says no; `looked` lists them. */
function embeddedCa(published: (publication: Publication) => boolean = () => true) {
  const looked: Publication[] = [];
  const ca = new EmbeddedCertificateAuthority({
    vault: memoryVault(),
    dcv: {
      async check(publication) {
        looked.push(publication);
        return published(publication)
          ? { ok: true }
          : { ok: false, cause: "NO_RECORD", detail: "nothing there" };
      },
    },
    clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
  });
  return { ca, looked };
}

const hostOf = (publication: Publication) => ("host" in publication ? publication.host : "");

describe("the embedded CA's placeOrder with reusable names", () => {
  it("holds an order whose every name is reusable valid at once, without a check", async () => {
    // Prepare
    const { ca, looked } = embeddedCa();

    // Act
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
      reusable: ["shop.example.com", "*.example.org"],
    });

    // Assess
    expect(placed.alreadyValid).toBe(true);
    expect(placed.challenges.map((challenge) => challenge.alreadyValidated)).toEqual([true, true]);
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
    expect(looked).toEqual([]);
  });

  it("issues for an order valid at once", async () => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
      reusable: ["shop.example.com", "*.example.org"],
    });
    const csrPem = await buildCsr({
      keys: await generateKeyPair("EC-P256"),
      names: ["shop.example.com", "*.example.org"],
    });

    // Act
    const progress = await ca.finalize(placed.caOrderRef, csrPem, 90, { product: "DV" });

    // Assess
    expect(progress.state).toBe("issued");
  });

  it("marks only the reusable names validated, and checks only the others", async () => {
    // Prepare
    const { ca, looked } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
      reusable: ["shop.example.com"],
    });

    // Act
    await ca.requestValidation(placed.caOrderRef);

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(
      placed.challenges.map((challenge) => [challenge.domain, challenge.alreadyValidated]),
    ).toEqual([
      ["shop.example.com", true],
      ["*.example.org", undefined],
    ]);
    expect(looked.map(hostOf)).toEqual(["_certflow-challenge.example.org"]);
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
  });

  it("fails the order on a name it checked, never on a reused one", async () => {
    // Prepare
    const { ca } = embeddedCa(() => false);
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
      reusable: ["shop.example.com"],
    });

    // Act
    await ca.requestValidation(placed.caOrderRef);

    // Assess
    const progress = await ca.validationProgress(placed.caOrderRef);
    expect(progress.state).toBe("invalid");
    expect(progress.state === "invalid" && progress.reason).toMatch(/^\*\.example\.org: NO_RECORD/);
    expect(progress.state === "invalid" && progress.reason).not.toContain("shop.example.com");
  });

  it("needs no approval for a reused name validated by email", async () => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: [orderName("shop.example.com"), orderName("example.org")],
      method: "email",
      approvers: { "shop.example.com": "admin@example.com", "example.org": "admin@example.org" },
      reusable: ["shop.example.com"],
    });

    // Act
    await ca.requestValidation(placed.caOrderRef, { emailApproved: ["example.org"] });

    // Assess
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
  });

  it("ignores reusable names the order does not have", async () => {
    // Prepare
    const { ca, looked } = embeddedCa();

    // Act
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
      reusable: ["other.example.com", "example.org"],
    });
    await ca.requestValidation(placed.caOrderRef);

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(placed.challenges.every((challenge) => challenge.alreadyValidated === undefined)).toBe(
      true,
    );
    expect(looked).toHaveLength(2);
  });

  it("validates every name without reusable names, as before", async () => {
    // Prepare
    const { ca, looked } = embeddedCa();

    // Act
    const placed = await ca.placeOrder({ orderId: "ord_1", names: NAMES, method: "dns-txt" });
    await ca.requestValidation(placed.caOrderRef);

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
    expect(looked).toHaveLength(2);
  });
});
