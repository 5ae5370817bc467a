import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import type { BlobStore } from "../../../../functions/ports/blob-store.ts";
import { CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import {
  countProblems,
  countRequestsTo,
  issue,
  memoryVault,
  pebbleForTest,
  placeOrder,
  validatedOrder,
  validation,
} from "../../../support/acme-test-kit.ts";

describe("ACME adapter against Pebble: a CA that misbehaves", () => {
  it("issues every order while Pebble refuses half of all nonces", async () => {
    // Prepare
    const bed = await pebbleForTest({ env: { PEBBLE_WFE_NONCEREJECT: "50" } });
    const badNonces = countProblems("badNonce");
    const ca = bed.authority();
    const domains = [1, 2, 3, 4].map((index) => `nonce${index}.certflow.test`);

    // Act
    const issued = [];
    for (const [index, domain] of domains.entries()) {
      const names = [domain, `www.${domain}`];
      const order = { orderId: `ord_nonce_${index}`, names, method: "dns-txt" } as const;
      const placed = await validatedOrder(ca, order, bed.publishTxtValues);
      issued.push(await issue(ca, placed.caOrderRef, names));
    }

    // Assess
    for (const [index, certificate] of issued.entries()) {
      expect(parseCertificate(certificate.certificatePem).names).toContain(domains[index]);
      expect(await bed.opensslVerify(certificate)).toMatch(/: OK$/);
    }
    expect(badNonces.count()).toBeGreaterThan(5);
  });

  it("answers CaUnavailable, at once, when Pebble dies in the middle of an order", async () => {
    // Prepare
    const bed = await pebbleForTest();
    const ca = bed.authority();
    const names = ["killed.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_killed", names, method: "dns-txt" });
    await bed.pebble.killPebble();

    // Act
    const started = Date.now();
    const failure = await ca.requestValidation(placed.caOrderRef).catch((error: unknown) => error);
    const took = Date.now() - started;

    // Assess
    expect(took).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(CaUnavailable);
    expect((failure as Error).message).toMatch(
      /^Asking the CA to validate: the CA at 127\.0\.0\.1:\d+ could not be reached \((ECONNREFUSED|ECONNRESET)/,
    );
    await expect(ca.validationProgress(placed.caOrderRef)).rejects.toThrow(CaUnavailable);
  });

  it("registers the same key again when the CA has forgotten the account (a restarted Pebble)", async () => {
    // Prepare
    const bed = await pebbleForTest();
    const { vault, blobs } = memoryVault();
    const ca = bed.authority(vault);
    const before = { orderId: "ord_before_restart", method: "dns-txt" } as const;
    await placeOrder(ca, { ...before, names: ["before.certflow.test"] });
    const [keyPath = ""] = blobs.keys().filter((key) => key.endsWith(".key.pem"));
    const keyBefore = await blobs.get(keyPath);
    await bed.pebble.restartPebble();
    const newAccount = await countRequestsTo(bed.pebble, "newAccount");
    const names = ["after.certflow.test"];

    // Act
    const order = { orderId: "ord_after_restart", names, method: "dns-txt" } as const;
    const placed = await validatedOrder(ca, order, bed.publishTxtValues);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
    expect(newAccount.count()).toBe(1);
    expect(await blobs.get(keyPath)).toEqual(keyBefore);
  });

  it("two cold starts registering a tenant at once keep one account key, and both issue", async () => {
    // Prepare: two processes (two adapters) on one vault, both finding no account key before
    // either writes one.
    const bed = await pebbleForTest();
    const blobs = createMemoryBlobStore();
    let readers = 0;
    const bothRead = Promise.withResolvers<void>();
    const racing: BlobStore = {
      ...blobs,
      async get(key) {
        const found = await blobs.get(key);
        if (key.endsWith(".key.pem") && found === undefined && readers < 2) {
          readers += 1;
          if (readers === 2) bothRead.resolve();
          await bothRead.promise;
        }
        return found;
      },
    };
    const vault = new CertificateVault(racing, derivedKeyPassphrases(randomBytes(32)));
    const [first, second] = [bed.authority(vault), bed.authority(vault)];

    // Act
    const placed = await Promise.all([
      placeOrder(first, {
        orderId: "ord_cold_a",
        names: ["cold-a.certflow.test"],
        method: "dns-txt",
      }),
      placeOrder(second, {
        orderId: "ord_cold_b",
        names: ["cold-b.certflow.test"],
        method: "dns-txt",
      }),
    ]);
    const newAccount = await countRequestsTo(bed.pebble, "newAccount");
    const later = bed.authority(vault);
    const names = ["cold-c.certflow.test"];
    const order = { orderId: "ord_cold_c", names, method: "dns-txt" } as const;
    const validated = await validatedOrder(later, order, bed.publishTxtValues);
    const issued = await issue(later, validated.caOrderRef, names);

    // Assess: a later process signs in with the stored key and account, registering nothing.
    expect(placed).toHaveLength(2);
    expect(readers).toBe(2);
    expect(blobs.keys().filter((key) => key.endsWith(".key.pem"))).toHaveLength(1);
    expect(newAccount.count()).toBe(0);
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
  });

  it("reports authorizations the CA already holds as alreadyValid, and issues without new validation", async () => {
    // Prepare
    const bed = await pebbleForTest({ env: { PEBBLE_AUTHZREUSE: "100" } });
    const ca = bed.authority();
    const names = ["reuse.certflow.test", "*.reuse.certflow.test"];
    const order = { names, method: "dns-txt" } as const;
    const first = await validatedOrder(
      ca,
      { ...order, orderId: "ord_authz_1" },
      bed.publishTxtValues,
    );
    await bed.customerDns().clearTxt("_acme-challenge.reuse.certflow.test");

    // Act
    const second = await placeOrder(ca, { ...order, orderId: "ord_authz_2" });
    const secondProgress = await ca.validationProgress(second.caOrderRef);
    const issued = await issue(ca, second.caOrderRef, names);
    // Another tenant never rides on those validations: its own account holds none.
    const otherTenant = await placeOrder(ca, {
      ...order,
      tenantId: "tenant-b",
      orderId: "ord_authz_other_tenant",
    });
    const otherOutcome = await validation(ca, otherTenant.caOrderRef);

    // Assess
    expect(first.alreadyValid).toBe(false);
    expect(second.alreadyValid).toBe(true);
    expect(
      second.challenges.map((challenge) => [challenge.domain, challenge.alreadyValidated]),
    ).toEqual([
      ["reuse.certflow.test", true],
      ["*.reuse.certflow.test", true],
    ]);
    expect(secondProgress).toEqual({ state: "valid" });
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
    expect(otherTenant.alreadyValid).toBe(false);
    expect(otherTenant.challenges.some((challenge) => challenge.alreadyValidated)).toBe(false);
    expect(otherOutcome).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
  });
});
