import { afterEach, describe, expect, it } from "vitest";
import { ChalltestsrvManagement } from "../../../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import {
  CaUnavailable,
  type CertificateAuthority,
} from "../../../../functions/ports/certificate-authority.ts";
import {
  countProblems,
  countRequestsTo,
  csrFor,
  issuedCertificate,
  memoryVault,
  opensslVerify,
  orderNames,
  pebbleAuthority,
  settledValidation,
} from "../../../support/acme-test-kit.ts";
import { type PebbleHandle, startPebble } from "../../../support/pebble.ts";

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pebbleWith(env: Record<string, string> = {}): Promise<PebbleHandle> {
  const pebble = await startPebble({ env });
  cleanups.push(() => pebble.stop());
  return pebble;
}

/** Places a dns-txt order, publishes its TXT values and validates it; the placed order. */
async function validatedDnsOrder(
  ca: CertificateAuthority,
  pebble: PebbleHandle,
  orderId: string,
  names: readonly OrderName[],
) {
  const placed = await ca.placeOrder({ tenantId: "tenant-a", orderId, names, method: "dns-txt" });
  const dns = new ChalltestsrvManagement(pebble.challtestsrvUrl);
  for (const { instructions } of placed.challenges) {
    if (instructions.method !== "dns-txt") throw new Error("expected dns-txt");
    await dns.addTxt(instructions.host, instructions.value);
  }
  await ca.requestValidation(placed.caOrderRef);
  expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
  return placed;
}

describe("ACME adapter against Pebble: a CA that misbehaves", () => {
  it("issues every order while Pebble refuses half of all nonces", async () => {
    const pebble = await pebbleWith({ PEBBLE_WFE_NONCEREJECT: "50" });
    const badNonces = countProblems("badNonce");
    cleanups.push(async () => badNonces.stop());
    const ca = pebbleAuthority(pebble, memoryVault().vault);
    const rootPem = await pebble.issuingRootPem();
    for (const index of [1, 2, 3, 4]) {
      const names = orderNames(`nonce${index}.certflow.test`, `www.nonce${index}.certflow.test`);
      const placed = await validatedDnsOrder(ca, pebble, `ord_nonce_${index}`, names);
      const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
      const issued = await issuedCertificate(ca, placed.caOrderRef, first);
      expect(parseCertificate(issued.certificatePem).names).toContain(
        `nonce${index}.certflow.test`,
      );
      expect(await opensslVerify(issued, rootPem)).toMatch(/: OK$/);
    }
    expect(badNonces.count()).toBeGreaterThan(5);
  });

  it("answers CaUnavailable, at once, when Pebble dies in the middle of an order", async () => {
    const pebble = await pebbleWith();
    const ca = pebbleAuthority(pebble, memoryVault().vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_killed",
      names: orderNames("killed.certflow.test"),
      method: "dns-txt",
    });
    await pebble.killPebble();

    const started = Date.now();
    const failure = await ca.requestValidation(placed.caOrderRef).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(CaUnavailable);
    expect((failure as Error).message).toMatch(
      /^Asking the CA to validate: the CA at 127\.0\.0\.1:\d+ could not be reached \((ECONNREFUSED|ECONNRESET)/,
    );
    await expect(ca.validationProgress(placed.caOrderRef)).rejects.toThrow(CaUnavailable);
  });

  it("registers the same key again when the CA has forgotten the account (a restarted Pebble)", async () => {
    const pebble = await pebbleWith();
    const { vault, blobs } = memoryVault();
    const ca = pebbleAuthority(pebble, vault);
    await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_before_restart",
      names: orderNames("before.certflow.test"),
      method: "dns-txt",
    });
    const [keyPath] = blobs.keys().filter((key) => key.endsWith(".key.pem"));
    const keyBefore = await blobs.get(keyPath ?? "");
    await pebble.restartPebble();

    const newAccount = await countRequestsTo(pebble, "newAccount");
    cleanups.push(async () => newAccount.stop());
    const names = orderNames("after.certflow.test");
    const placed = await validatedDnsOrder(ca, pebble, "ord_after_restart", names);
    const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(await opensslVerify(issued, await pebble.issuingRootPem())).toMatch(/: OK$/);
    expect(newAccount.count()).toBe(1);
    expect(await blobs.get(keyPath ?? "")).toEqual(keyBefore);
  });

  it("reports authorizations the CA already holds as alreadyValid, and issues without new validation", async () => {
    const pebble = await pebbleWith({ PEBBLE_AUTHZREUSE: "100" });
    const ca = pebbleAuthority(pebble, memoryVault().vault);
    const names = orderNames("reuse.certflow.test", "*.reuse.certflow.test");
    const first = await validatedDnsOrder(ca, pebble, "ord_authz_1", names);
    expect(first.alreadyValid).toBe(false);
    await new ChalltestsrvManagement(pebble.challtestsrvUrl).clearTxt(
      "_acme-challenge.reuse.certflow.test",
    );

    const second = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_authz_2",
      names,
      method: "dns-txt",
    });
    expect(second.alreadyValid).toBe(true);
    expect(
      second.challenges.map((challenge) => [challenge.domain, challenge.alreadyValidated]),
    ).toEqual([
      ["reuse.certflow.test", true],
      ["*.reuse.certflow.test", true],
    ]);
    expect(await ca.validationProgress(second.caOrderRef)).toEqual({ state: "valid" });
    const progress = await ca.finalize(second.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, second.caOrderRef, progress);
    expect(await opensslVerify(issued, await pebble.issuingRootPem())).toMatch(/: OK$/);

    // Another tenant never rides on those validations: its own account holds none.
    const otherTenant = await ca.placeOrder({
      tenantId: "tenant-b",
      orderId: "ord_authz_other_tenant",
      names,
      method: "dns-txt",
    });
    expect(otherTenant.alreadyValid).toBe(false);
    expect(otherTenant.challenges.some((challenge) => challenge.alreadyValidated)).toBe(false);
    await ca.requestValidation(otherTenant.caOrderRef);
    expect(await settledValidation(ca, otherTenant.caOrderRef)).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
  });
});
