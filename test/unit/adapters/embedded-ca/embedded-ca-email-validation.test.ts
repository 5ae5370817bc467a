import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";
import type { Publication } from "../../../../functions/ports/dcv-checker.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { orderName } from "../../../support/email-approvals.ts";

const ADMIN = "admin@example.com";
const HOSTMASTER = "hostmaster@example.org";
const NAMES: OrderName[] = [orderName("shop.example.com"), orderName("example.org")];
const APPROVERS = { "shop.example.com": ADMIN, "example.org": HOSTMASTER };

/** An embedded CA whose DCV checks pass for the hosts in `published` (all, by default). */
function embeddedCa(published?: (publication: Publication) => boolean) {
  const looked: Publication[] = [];
  const ca = new EmbeddedCertificateAuthority({
    vault: new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(new Uint8Array(32))),
    dcv: {
      async check(publication) {
        looked.push(publication);
        return published === undefined || published(publication)
          ? { ok: true }
          : { ok: false, cause: "NO_RECORD", detail: "nothing there" };
      },
    },
    clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
  });
  return { ca, looked };
}

describe("the embedded CA's email validation", () => {
  it("gives each name email instructions naming its approver", async () => {
    // Prepare
    const { ca } = embeddedCa();

    // Act
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "email",
      approvers: APPROVERS,
    });

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(placed.challenges).toEqual([
      {
        domain: "shop.example.com",
        method: "email",
        instructions: { method: "email", approver: ADMIN },
      },
      {
        domain: "example.org",
        method: "email",
        instructions: { method: "email", approver: HOSTMASTER },
      },
    ]);
  });

  it("refuses an email order with a name no approver is named for", async () => {
    // Prepare
    const { ca } = embeddedCa();

    // Act
    const placing = ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "email",
      approvers: { "shop.example.com": ADMIN },
    });

    // Assess
    await expect(placing).rejects.toThrow(CaRejected);
    await expect(placing).rejects.toThrow("No approver is named for example.org.");
  });

  it("validates email names the service attests approved, without looking at DNS", async () => {
    // Prepare
    const { ca, looked } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "email",
      approvers: APPROVERS,
    });

    // Act
    await ca.requestValidation(placed.caOrderRef, {
      emailApproved: ["shop.example.com", "example.org"],
    });

    // Assess
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
    expect(looked).toEqual([]);
  });

  it.each([
    ["one name not attested", { emailApproved: ["shop.example.com"] }],
    ["nothing attested", { emailApproved: [] }],
    ["no attestation at all", undefined],
  ])("refuses email names with %s, naming their approver", async (_case, attested) => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "email",
      approvers: APPROVERS,
    });

    // Act
    await ca.requestValidation(placed.caOrderRef, attested);

    // Assess
    const progress = await ca.validationProgress(placed.caOrderRef);
    expect(progress.state).toBe("invalid");
    expect(progress.state === "invalid" && progress.reason).toContain(
      `example.org: ${HOSTMASTER} has not approved`,
    );
    if (attested?.emailApproved.includes("shop.example.com")) {
      expect(progress.state === "invalid" && progress.reason).not.toContain("shop.example.com");
    }
  });

  it("does not take an attestation for a name validated by DNS", async () => {
    // Prepare: the record of the first name is missing.
    const { ca, looked } = embeddedCa(
      (publication) =>
        publication.kind === "dns-txt" && publication.host === "_certflow-challenge.example.org",
    );
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
    });

    // Act
    await ca.requestValidation(placed.caOrderRef, {
      emailApproved: ["shop.example.com", "example.org"],
    });

    // Assess
    expect(looked.map((publication) => publication.kind)).toEqual(["dns-txt", "dns-txt"]);
    const progress = await ca.validationProgress(placed.caOrderRef);
    expect(progress).toEqual({
      state: "invalid",
      reason: "shop.example.com: NO_RECORD (nothing there)",
    });
  });

  it("changes a pending order's names to email, and validates them by approval from then on", async () => {
    // Prepare
    const { ca, looked } = embeddedCa(() => false);
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
    });

    // Act
    const challenges = await ca.changeMethod(placed.caOrderRef, {
      names: NAMES,
      method: "email",
      approvers: APPROVERS,
    });
    await ca.requestValidation(placed.caOrderRef, {
      emailApproved: ["shop.example.com", "example.org"],
    });

    // Assess
    expect(challenges).toEqual([
      {
        domain: "shop.example.com",
        method: "email",
        instructions: { method: "email", approver: ADMIN },
      },
      {
        domain: "example.org",
        method: "email",
        instructions: { method: "email", approver: HOSTMASTER },
      },
    ]);
    expect(looked).toEqual([]);
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "valid" });
  });

  it("changes email names to DNS: an attestation no longer validates them", async () => {
    // Prepare
    const { ca, looked } = embeddedCa(() => false);
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "email",
      approvers: APPROVERS,
    });

    // Act
    const challenges = await ca.changeMethod(placed.caOrderRef, {
      names: NAMES,
      method: "dns-txt",
    });
    await ca.requestValidation(placed.caOrderRef, {
      emailApproved: ["shop.example.com", "example.org"],
    });

    // Assess
    expect(challenges.map((challenge) => [challenge.domain, challenge.method])).toEqual([
      ["shop.example.com", "dns-txt"],
      ["example.org", "dns-txt"],
    ]);
    expect(looked.map((publication) => publication.kind)).toEqual(["dns-txt", "dns-txt"]);
    expect((await ca.validationProgress(placed.caOrderRef)).state).toBe("invalid");
  });

  it("gives new instructions at each change", async () => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
    });

    // Act
    const changed = await ca.changeMethod(placed.caOrderRef, {
      names: NAMES,
      method: "dns-txt",
    });

    // Assess
    expect(changed.map((challenge) => challenge.instructions)).not.toEqual(
      placed.challenges.map((challenge) => challenge.instructions),
    );
  });

  it("refuses to change an email order without an approver for every name", async () => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
    });

    // Act
    const changing = ca.changeMethod(placed.caOrderRef, {
      names: NAMES,
      method: "email",
      approvers: { "example.org": HOSTMASTER },
    });

    // Assess
    await expect(changing).rejects.toThrow("No approver is named for shop.example.com.");
  });

  it.each([
    [
      "validated",
      async (ca: EmbeddedCertificateAuthority, ref: string) => ca.requestValidation(ref),
    ],
    ["cancelled", async (ca: EmbeddedCertificateAuthority, ref: string) => ca.abandon(ref)],
  ])("refuses to change an order it %s", async (state, settle) => {
    // Prepare
    const { ca } = embeddedCa();
    const placed = await ca.placeOrder({
      orderId: "ord_1",
      names: NAMES,
      method: "dns-txt",
    });
    await settle(ca, placed.caOrderRef);

    // Act
    const changing = ca.changeMethod(placed.caOrderRef, {
      names: NAMES,
      method: "http-file",
    });

    // Assess
    await expect(changing).rejects.toThrow(CaRejected);
    await expect(changing).rejects.toThrow(state === "validated" ? "is valid" : "is invalid");
  });

  it("refuses to change an order it does not know", async () => {
    // Prepare
    const { ca } = embeddedCa();

    // Act
    const changing = ca.changeMethod("eca_0123abcd", {
      names: NAMES,
      method: "dns-txt",
    });

    // Assess
    await expect(changing).rejects.toThrow("Unknown embedded CA order eca_0123abcd.");
  });
});
