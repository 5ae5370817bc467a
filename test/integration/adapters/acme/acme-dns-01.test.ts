import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChalltestsrvDnsZone } from "../../../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { ChalltestsrvManagement } from "../../../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import type { ChallengeForName } from "../../../../functions/ports/certificate-authority.ts";
import {
  csrFor,
  DELEGATION_ZONE,
  issuedCertificate,
  memoryVault,
  opensslVerify,
  orderNames,
  pebbleAuthority,
  settledValidation,
} from "../../../support/acme-test-kit.ts";
import { type PebbleHandle, startPebble } from "../../../support/pebble.ts";

let pebble: PebbleHandle;
let dns: ChalltestsrvManagement;
let resolver: Resolver;
const { vault } = memoryVault();

beforeAll(async () => {
  pebble = await startPebble();
  dns = new ChalltestsrvManagement(pebble.challtestsrvUrl);
  resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([pebble.dnsAddress]);
});

afterAll(async () => {
  await pebble?.stop();
});

function dnsRecord(challenge: ChallengeForName) {
  const { instructions } = challenge;
  if (instructions.method !== "dns-txt" && instructions.method !== "dns-cname") {
    throw new Error(`not a DNS instruction: ${JSON.stringify(instructions)}`);
  }
  return instructions;
}

async function txtAt(name: string): Promise<string[]> {
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
  } catch (error) {
    if ((error as { code?: string }).code === "ENODATA") return [];
    if ((error as { code?: string }).code === "ENOTFOUND") return [];
    throw error;
  }
}

describe("ACME adapter against Pebble: dns-01", () => {
  it("issues for a name and its wildcard once the customer publishes both TXT values", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const names = orderNames("dns.certflow.test", "*.dns.certflow.test");
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_dns",
      names,
      method: "dns-txt",
    });

    const records = placed.challenges.map(dnsRecord);
    expect(records.map((record) => [record.recordType, record.host])).toEqual([
      ["TXT", "_acme-challenge.dns.certflow.test"],
      ["TXT", "_acme-challenge.dns.certflow.test"],
    ]);
    const values = records.map((record) => record.value);
    expect(new Set(values).size).toBe(2);
    for (const value of values) expect(value).toMatch(/^[\w-]{43}$/);

    for (const record of records) await dns.addTxt(record.host, record.value);
    await ca.requestValidation(placed.caOrderRef);
    expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
    await dns.clearTxt("_acme-challenge.dns.certflow.test");

    const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
      ["*.dns.certflow.test", "dns.certflow.test"].sort(),
    );
    expect(await opensslVerify(issued, await pebble.issuingRootPem())).toMatch(/: OK$/);
  });

  it("reports a wrong TXT value as invalid, naming the CA's error", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_dns_wrong",
      names: orderNames("wrong.certflow.test"),
      method: "dns-txt",
    });
    const [record] = placed.challenges.map(dnsRecord);
    if (record === undefined) throw new Error("no challenge");
    await dns.addTxt(record.host, `${record.value}x`);
    await ca.requestValidation(placed.caOrderRef);
    const outcome = await settledValidation(ca, placed.caOrderRef);
    await dns.clearTxt(record.host);
    expect(outcome).toEqual({
      state: "invalid",
      reason: expect.stringMatching(
        /^wrong\.certflow\.test: urn:ietf:params:acme:error:unauthorized: .*DNS challenge/,
      ),
    });
  });
});

describe("ACME adapter against Pebble: dns-cname delegation", () => {
  const names = orderNames("delegated.certflow.test", "*.delegated.certflow.test");
  const customerHost = "_acme-challenge.delegated.certflow.test";

  it("asks for one CNAME per name into the delegation zone, the same for the wildcard", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_cname_1",
      names,
      method: "dns-cname",
    });
    const records = placed.challenges.map(dnsRecord);
    expect(records).toHaveLength(2);
    const [apex, wildcard] = records;
    expect(apex).toMatchObject({ method: "dns-cname", recordType: "CNAME", host: customerHost });
    expect(wildcard).toEqual(apex);
    expect(apex?.value).toMatch(
      new RegExp(`^[0-9a-f]{32}\\.${DELEGATION_ZONE.replaceAll(".", "\\.")}$`),
    );
  });

  it("without the customer's CNAME, the TXT the service writes is not found: invalid", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_cname_missing",
      names: orderNames("not-delegated.certflow.test"),
      method: "dns-cname",
    });
    const [record] = placed.challenges.map(dnsRecord);
    if (record === undefined) throw new Error("no challenge");
    await ca.requestValidation(placed.caOrderRef);
    // The adapter wrote the dns-01 value at the target; only the CNAME is missing.
    expect(await txtAt(record.value)).toHaveLength(1);
    const outcome = await settledValidation(ca, placed.caOrderRef);
    expect(outcome).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
    expect(await txtAt(record.value)).toEqual([]);
  });

  it("with the CNAME set once, Pebble follows it to the TXT the service writes, for every issuance", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const rootPem = await pebble.issuingRootPem();
    let target: string | undefined;
    for (const orderId of ["ord_cname_1st", "ord_cname_renewal"]) {
      const placed = await ca.placeOrder({
        tenantId: "tenant-a",
        orderId,
        names,
        method: "dns-cname",
      });
      const [record] = placed.challenges.map(dnsRecord);
      if (record === undefined) throw new Error("no challenge");
      if (target === undefined) {
        target = record.value;
        await dns.setCname(customerHost, target);
      }
      // The same target on renewal: the customer does nothing more.
      expect(record.value).toBe(target);

      await ca.requestValidation(placed.caOrderRef);
      // A value per name the CA still wants proven: Pebble now and then reuses an
      // authorization of the earlier order even with PEBBLE_AUTHZREUSE=0.
      const stillToProve = placed.challenges.filter((challenge) => !challenge.alreadyValidated);
      expect(await txtAt(target)).toHaveLength(stillToProve.length);
      expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
      expect(await txtAt(target)).toEqual([]);

      const first = await ca.finalize(placed.caOrderRef, await csrFor(names), 90);
      const issued = await issuedCertificate(ca, placed.caOrderRef, first);
      expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
        ["*.delegated.certflow.test", "delegated.certflow.test"].sort(),
      );
      expect(await opensslVerify(issued, rootPem)).toMatch(/: OK$/);
    }
  });

  it("another tenant's order for the same names does not ride on that CNAME: invalid", async () => {
    const ca = pebbleAuthority(pebble, vault);
    const placed = await ca.placeOrder({
      tenantId: "tenant-b",
      orderId: "ord_cname_other_tenant",
      names,
      method: "dns-cname",
    });
    const [record] = placed.challenges.map(dnsRecord);
    if (record === undefined) throw new Error("no challenge");
    const tenantA = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_cname_tenant_a_again",
      names,
      method: "dns-cname",
    });
    expect(record.value).not.toBe(tenantA.challenges.map(dnsRecord)[0]?.value);

    // The customer's CNAME still points at tenant-a's target, where nothing is written now.
    await ca.requestValidation(placed.caOrderRef);
    expect(await txtAt(record.value)).toHaveLength(2);
    expect(await settledValidation(ca, placed.caOrderRef)).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
  });

  it("with a zone that is slow to go live (like Route 53), asks the CA only once it is", async () => {
    const challtestsrv = new ChalltestsrvDnsZone(pebble.challtestsrvUrl);
    let live = false;
    let liveQuestions = 0;
    const slowZone = {
      addTxt: (fqdn: string, values: readonly string[]) => challtestsrv.addTxt(fqdn, values),
      removeTxt: (fqdn: string, values: readonly string[]) => challtestsrv.removeTxt(fqdn, values),
      isLive: async () => {
        liveQuestions += 1;
        return live;
      },
    };
    const ca = pebbleAuthority(pebble, vault, {
      delegation: { zone: slowZone, zoneName: DELEGATION_ZONE },
    });
    const slowNames = orderNames("slow.certflow.test");
    const placed = await ca.placeOrder({
      tenantId: "tenant-a",
      orderId: "ord_cname_slow",
      names: slowNames,
      method: "dns-cname",
    });
    const [record] = placed.challenges.map(dnsRecord);
    if (record === undefined) throw new Error("no challenge");
    await dns.setCname(record.host, record.value);

    await ca.requestValidation(placed.caOrderRef);
    expect(await txtAt(record.value)).toHaveLength(1);
    // Pebble validates within milliseconds once asked: staying pending means it was not asked.
    for (let poll = 0; poll < 3; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "pending" });
    }
    expect(liveQuestions).toBe(4);

    live = true;
    expect(await settledValidation(ca, placed.caOrderRef)).toEqual({ state: "valid" });
    expect(await txtAt(record.value)).toEqual([]);
    const first = await ca.finalize(placed.caOrderRef, await csrFor(slowNames), 90);
    const issued = await issuedCertificate(ca, placed.caOrderRef, first);
    expect(parseCertificate(issued.certificatePem).names).toEqual(["slow.certflow.test"]);
  });

  it("two orders of a tenant sharing a name, in flight at once, each find their own value", async () => {
    const challtestsrv = new ChalltestsrvDnsZone(pebble.challtestsrvUrl);
    let live = false;
    // Live only once both orders have written, so Pebble checks with both values in place.
    const heldZone = {
      addTxt: (fqdn: string, values: readonly string[]) => challtestsrv.addTxt(fqdn, values),
      removeTxt: (fqdn: string, values: readonly string[]) => challtestsrv.removeTxt(fqdn, values),
      isLive: async () => live,
    };
    const ca = pebbleAuthority(pebble, vault, {
      delegation: { zone: heldZone, zoneName: DELEGATION_ZONE },
    });
    const orders = [
      { orderId: "ord_shared_1", names: orderNames("shared.certflow.test") },
      {
        orderId: "ord_shared_2",
        names: orderNames("shared.certflow.test", "www.shared.certflow.test"),
      },
    ];
    const placed = [];
    for (const { orderId, names } of orders) {
      const order = await ca.placeOrder({
        tenantId: "tenant-a",
        orderId,
        names,
        method: "dns-cname",
      });
      for (const record of order.challenges.map(dnsRecord)) {
        await dns.setCname(record.host, record.value);
      }
      placed.push(order);
    }
    const [sharedTarget] = placed[0]?.challenges.map(dnsRecord).map((record) => record.value) ?? [];
    if (sharedTarget === undefined) throw new Error("no challenge");
    for (const order of placed) await ca.requestValidation(order.caOrderRef);
    expect(await txtAt(sharedTarget)).toHaveLength(2);

    live = true;
    for (const order of placed) {
      expect(await settledValidation(ca, order.caOrderRef)).toEqual({ state: "valid" });
    }
    expect(await txtAt(sharedTarget)).toEqual([]);
    for (const [index, order] of placed.entries()) {
      const names = orders[index]?.names ?? [];
      const first = await ca.finalize(order.caOrderRef, await csrFor(names), 90);
      const issued = await issuedCertificate(ca, order.caOrderRef, first);
      expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
        names.map((name) => name.ascii).sort(),
      );
    }
  });
});
