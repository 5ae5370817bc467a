import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import {
  CaRejected,
  type ChallengeForName,
} from "../../../../functions/ports/certificate-authority.ts";
import {
  type CustomerWebServer,
  startCustomerWebServer,
} from "../../../../infra/local/customer-web-server.ts";
import {
  countRequestsTo,
  csrFor,
  issue,
  memoryVault,
  pebbleForFile,
  placeOrder,
  validatedOrder,
  validation,
} from "../../../support/acme-test-kit.ts";

const bed = pebbleForFile({ domainBlocklist: ["blocked.certflow.test"] });
const shared = memoryVault();
let customerSites: CustomerWebServer;

beforeAll(async () => {
  customerSites = await startCustomerWebServer({ port: bed.pebble.httpPort });
});

afterAll(async () => {
  await customerSites?.close();
});

/** Publishes each http-01 instruction on the customer's (simulated) web server. */
function publishHttpFiles(challenges: readonly ChallengeForName[]) {
  for (const { instructions } of challenges) {
    if (instructions.method !== "http-file") {
      throw new Error(`not an http-file instruction: ${JSON.stringify(instructions)}`);
    }
    const url = new URL(instructions.url);
    customerSites.publish(url.hostname, url.pathname, instructions.content);
  }
}

const accountKeys = () => shared.blobs.keys().filter((key) => key.startsWith("ca/acme/accounts/"));

describe("ACME adapter against Pebble: http-01", () => {
  let issuedPem: string | undefined;

  it("issues a two-name certificate whose chain openssl verifies under Pebble's root", async () => {
    // Prepare
    const ca = bed.authority(shared.vault);
    const names = ["shop.certflow.test", "www.shop.certflow.test"];

    // Act
    const placed = await placeOrder(ca, { orderId: "ord_http", names, method: "http-file" });
    publishHttpFiles(placed.challenges);
    const outcome = await validation(ca, placed.caOrderRef);
    const issued = await issue(ca, placed.caOrderRef, names);
    // Asking again (a retried state) gives the same certificate.
    const again = await ca.certificateProgress(placed.caOrderRef);

    // Assess
    expect(placed.alreadyValid).toBe(false);
    expect(new URL(placed.caOrderRef).origin).toBe(new URL(bed.pebble.directoryUrl).origin);
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
    expect(outcome).toEqual({ state: "valid" });
    expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
      ["shop.certflow.test", "www.shop.certflow.test"].sort(),
    );
    expect(issued.chainPems.length).toBeGreaterThanOrEqual(1);
    expect(parseCertificate(issued.chainPems[0] ?? "").isCa).toBe(true);
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
    expect(again).toMatchObject({ state: "issued", certificatePem: issued.certificatePem });
    issuedPem = issued.certificatePem;
  });

  it("revokes the certificate: Pebble's management API reports its serial revoked", async () => {
    // Prepare
    if (issuedPem === undefined) throw new Error("the issuing test did not run");
    const statusPath = `/cert-status-by-serial/${parseCertificate(issuedPem).serialNumber}`;
    const before = await bed.pebble.management(statusPath);
    const ca = bed.authority(shared.vault);
    const revocation = { tenantId: "tenant-a", certificatePem: issuedPem };

    // Act
    await ca.revoke({ ...revocation, reason: "superseded" });

    // Assess
    expect(before.status).toBe(200);
    expect(JSON.parse(before.body)).toMatchObject({ Status: "Valid" });
    const after = await bed.pebble.management(statusPath);
    expect(JSON.parse(after.body)).toMatchObject({ Status: "Revoked", Reason: 4 });
    // Revoking again is not an error (a retry after a lost answer); with another reason it is.
    await expect(ca.revoke({ ...revocation, reason: "superseded" })).resolves.toBeUndefined();
    await expect(ca.revoke({ ...revocation, reason: "caCompromise" })).rejects.toThrow(CaRejected);
  });

  it("reuses the stored account: a second adapter on the same vault registers nothing", async () => {
    // Prepare
    const keysBefore = accountKeys();
    const newAccount = await countRequestsTo(bed.pebble, "newAccount");
    const second = bed.authority(shared.vault);
    const names = ["reuse.certflow.test"];

    // Act
    const placed = await placeOrder(second, { orderId: "ord_reuse", names, method: "http-file" });
    publishHttpFiles(placed.challenges);
    const outcome = await validation(second, placed.caOrderRef);

    // Assess
    expect(outcome).toEqual({ state: "valid" });
    expect(keysBefore).toHaveLength(2);
    expect(newAccount.count()).toBe(0);
    expect(accountKeys()).toEqual(keysBefore);
  });

  it("registers another tenant's own account, so the CA never mixes their authorizations", async () => {
    // Prepare
    const keysBefore = accountKeys();
    const newAccount = await countRequestsTo(bed.pebble, "newAccount");
    const ca = bed.authority(shared.vault);

    // Act
    for (const orderId of ["ord_tenant_b_1", "ord_tenant_b_2"]) {
      const names = [`${orderId.replaceAll("_", "-")}.certflow.test`];
      await placeOrder(ca, { tenantId: "tenant-b", orderId, names, method: "http-file" });
    }

    // Assess
    expect(newAccount.count()).toBe(1);
    const added = accountKeys().filter((key) => !keysBefore.includes(key));
    expect(added).toHaveLength(2);
    const description = added.find((key) => key.endsWith(".json"));
    const stored = JSON.parse(new TextDecoder().decode(await shared.blobs.get(description ?? "")));
    expect(stored).toMatchObject({ tenantId: "tenant-b", directoryUrl: bed.pebble.directoryUrl });
  });

  it("refuses a CSR for other names with the CA's reason, then issues with the right one", async () => {
    // Prepare
    const ca = bed.authority(shared.vault);
    const names = ["csr.certflow.test"];
    const order = { orderId: "ord_csr", names, method: "http-file" } as const;
    const placed = await validatedOrder(ca, order, publishHttpFiles);
    const wrongCsr = await csrFor(["other.certflow.test"]);

    // Act
    const refusal = await ca
      .finalize(placed.caOrderRef, wrongCsr, 90)
      .catch((error: unknown) => error);
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    expect(refusal).toBeInstanceOf(CaRejected);
    expect((refusal as Error).message).toMatch(
      /^Finalizing the order: the CA refused \(HTTP 4\d\d, urn:ietf:params:acme:error:\w+: .+\)\.$/,
    );
    expect(parseCertificate(issued.certificatePem).names).toEqual(["csr.certflow.test"]);
  });

  it("reports an unanswered http-01 challenge as invalid with the CA's error type", async () => {
    // Prepare
    const ca = bed.authority(shared.vault);
    const names = ["unpublished.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_unpublished", names, method: "http-file" });

    // Act
    const outcome = await validation(ca, placed.caOrderRef);

    // Assess
    expect(outcome).toEqual({
      state: "invalid",
      reason: expect.stringMatching(
        /^unpublished\.certflow\.test: urn:ietf:params:acme:error:unauthorized: .+/,
      ),
    });
  });

  it.each([
    {
      refusal: "a name the CA will not issue for, with the ACME error type",
      name: "blocked.certflow.test",
      reason: /urn:ietf:params:acme:error:rejectedIdentifier/,
    },
    {
      refusal: "http-file for a wildcard name before asking the CA",
      name: "*.shop.certflow.test",
      reason: /wildcard.*only through DNS/,
    },
  ])("refuses $refusal", async ({ name, reason }) => {
    // Prepare
    const ca = bed.authority(shared.vault);
    const order = { orderId: "ord_refused", names: [name], method: "http-file" } as const;

    // Act
    const refusal = await placeOrder(ca, order).catch((error: unknown) => error);

    // Assess
    expect(refusal).toBeInstanceOf(CaRejected);
    expect((refusal as Error).message).toMatch(reason);
  });
});
