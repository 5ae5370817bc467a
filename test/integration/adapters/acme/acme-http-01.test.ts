import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import { CaRejected } from "../../../../functions/ports/certificate-authority.ts";
import {
  type CustomerWebServer,
  startCustomerWebServer,
} from "../../../../infra/local/customer-web-server.ts";
import {
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

let pebble: PebbleHandle;
let customerSites: CustomerWebServer;
const shared = memoryVault();

beforeAll(async () => {
  pebble = await startPebble({ domainBlocklist: ["blocked.certflow.test"] });
  customerSites = await startCustomerWebServer({ port: pebble.httpPort });
});

afterAll(async () => {
  await customerSites?.close();
  await pebble?.stop();
});

/** Publishes each http-01 instruction on the customer's (simulated) web server. */
function publishHttpFiles(
  challenges: readonly { instructions: { method: string; url?: string; content?: string } }[],
) {
  for (const { instructions } of challenges) {
    if (instructions.url === undefined || instructions.content === undefined) {
      throw new Error(`not an http-file instruction: ${JSON.stringify(instructions)}`);
    }
    const url = new URL(instructions.url);
    customerSites.publish(url.hostname, url.pathname, instructions.content);
  }
}

describe("ACME adapter against Pebble: http-01", () => {
  let issuedPem: string | undefined;

  it("issues a two-name certificate whose chain openssl verifies under Pebble's root", async () => {
    const ca = pebbleAuthority(pebble, shared.vault);
    const names = orderNames("shop.certflow.test", "www.shop.certflow.test");
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_http",
      names,
      method: "http-file",
    });

    expect(placed.alreadyValid).toBe(false);
    expect(new URL(placed.caOrderRef).origin).toBe(new URL(pebble.directoryUrl).origin);
    expect(placed.challenges.map((challenge) => challenge.domain)).toEqual([
      "shop.certflow.test",
      "www.shop.certflow.test",
    ]);
    for (const challenge of placed.challenges) {
      expect(challenge.instructions).toMatchObject({
        method: "http-file",
        url: expect.stringMatching(
          new RegExp(
            `^http://${challenge.domain.replaceAll(".", "\\.")}/\\.well-known/acme-challenge/[\\w-]+$`,
          ),
        ),
        content: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      });
    }

    publishHttpFiles(placed.challenges);
    await ca.requestValidation(placed.caOrderRef);
    expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });

    const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
      ["shop.certflow.test", "www.shop.certflow.test"].sort(),
    );
    expect(issued.chainPems.length).toBeGreaterThanOrEqual(1);
    expect(parseCertificate(issued.chainPems[0] ?? "").isCa).toBe(true);
    expect(await opensslVerify(issued, await pebble.issuingRootPem())).toMatch(/: OK$/);
    // Asking again (a retried state) gives the same certificate.
    const again = await ca.certificateProgress(placed.caOrderRef);
    expect(again).toMatchObject({ state: "issued", certificatePem: issued.certificatePem });
    issuedPem = issued.certificatePem;
  });

  it("revokes the certificate: Pebble's management API reports its serial revoked", async () => {
    if (issuedPem === undefined) throw new Error("the issuing test did not run");
    const serial = parseCertificate(issuedPem).serialNumber;
    const before = await pebble.management(`/cert-status-by-serial/${serial}`);
    expect(before.status).toBe(200);
    expect(JSON.parse(before.body)).toMatchObject({ Status: "Valid" });

    const ca = pebbleAuthority(pebble, shared.vault);
    const revocation = { tenantId: "tenant-a", certificatePem: issuedPem };
    await ca.revoke({ ...revocation, reason: "superseded" });
    const after = await pebble.management(`/cert-status-by-serial/${serial}`);
    expect(JSON.parse(after.body)).toMatchObject({ Status: "Revoked", Reason: 4 });
    // Revoking again is not an error (a retry after a lost answer).
    await expect(ca.revoke({ ...revocation, reason: "superseded" })).resolves.toBeUndefined();
    await expect(ca.revoke({ ...revocation, reason: "caCompromise" })).rejects.toThrow(CaRejected);
  });

  it("reuses the stored account: a second adapter on the same vault registers nothing", async () => {
    const keysBefore = shared.blobs.keys().filter((key) => key.startsWith("ca/acme/accounts/"));
    expect(keysBefore).toHaveLength(2);
    const newAccount = await countRequestsTo(pebble, "newAccount");
    try {
      const second = pebbleAuthority(pebble, shared.vault);
      const placed = await second.placeOrder({
        tenantId: "tenant-a",
        orderId: "ord_reuse",
        names: orderNames("reuse.certflow.test"),
        method: "http-file",
      });
      publishHttpFiles(placed.challenges);
      await second.requestValidation(placed.caOrderRef);
      expect(await settledValidation(second, placed.caOrderRef)).toEqual({ state: "valid" });
    } finally {
      newAccount.stop();
    }
    expect(newAccount.count()).toBe(0);
    expect(shared.blobs.keys().filter((key) => key.startsWith("ca/acme/accounts/"))).toEqual(
      keysBefore,
    );
  });

  it("registers another tenant's own account, so the CA never mixes their authorizations", async () => {
    const accountKeys = () =>
      shared.blobs.keys().filter((key) => key.startsWith("ca/acme/accounts/"));
    const keysBefore = accountKeys();
    const newAccount = await countRequestsTo(pebble, "newAccount");
    try {
      const ca = pebbleAuthority(pebble, shared.vault);
      for (const orderId of ["ord_tenant_b_1", "ord_tenant_b_2"]) {
        await ca.placeOrder({
          tenantId: "tenant-b",
          orderId,
          names: orderNames(`${orderId.replaceAll("_", "-")}.certflow.test`),
          method: "http-file",
        });
      }
    } finally {
      newAccount.stop();
    }
    expect(newAccount.count()).toBe(1);
    const added = accountKeys().filter((key) => !keysBefore.includes(key));
    expect(added).toHaveLength(2);
    const description = added.find((key) => key.endsWith(".json"));
    const stored = JSON.parse(new TextDecoder().decode(await shared.blobs.get(description ?? "")));
    expect(stored).toMatchObject({ tenantId: "tenant-b", directoryUrl: pebble.directoryUrl });
  });

  it("refuses a CSR for other names with the CA's reason, then issues with the right one", async () => {
    const ca = pebbleAuthority(pebble, shared.vault);
    const names = orderNames("csr.certflow.test");
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_csr",
      names,
      method: "http-file",
    });
    publishHttpFiles(placed.challenges);
    await ca.requestValidation(placed.caOrderRef);
    expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });

    const wrongCsr = await csrFor(orderNames("other.certflow.test"));
    const refused = ca.finalize(placed.caOrderRef, wrongCsr, 90);
    await expect(refused).rejects.toThrow(CaRejected);
    await expect(refused).rejects.toThrow(
      /^Finalizing the order: the CA refused \(HTTP 4\d\d, urn:ietf:params:acme:error:\w+: .+\)\.$/,
    );
    const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(parseCertificate(issued.certificatePem).names).toEqual(["csr.certflow.test"]);
  });

  it("reports an unanswered http-01 challenge as invalid with the CA's error type", async () => {
    const ca = pebbleAuthority(pebble, shared.vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_unpublished",
      names: orderNames("unpublished.certflow.test"),
      method: "http-file",
    });
    await ca.requestValidation(placed.caOrderRef);
    const outcome = await settledValidation(ca, placed.caOrderRef);
    expect(outcome.state).toBe("invalid");
    expect(outcome).toMatchObject({
      reason: expect.stringMatching(
        /^unpublished\.certflow\.test: urn:ietf:params:acme:error:unauthorized: .+/,
      ),
    });
  });

  it("refuses a name the CA will not issue for, with the ACME error type", async () => {
    const ca = pebbleAuthority(pebble, shared.vault);
    const refused = ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_blocked",
      names: orderNames("blocked.certflow.test"),
      method: "http-file",
    });
    await expect(refused).rejects.toThrow(CaRejected);
    await expect(refused).rejects.toThrow(/urn:ietf:params:acme:error:rejectedIdentifier/);
  });

  it("refuses http-file for a wildcard name before asking the CA", async () => {
    const ca = pebbleAuthority(pebble, memoryVault().vault);
    const refused = ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_wild_http",
      names: orderNames("*.shop.certflow.test"),
      method: "http-file",
    });
    await expect(refused).rejects.toThrow(CaRejected);
    await expect(refused).rejects.toThrow(/wildcard.*only through DNS/);
  });
});
