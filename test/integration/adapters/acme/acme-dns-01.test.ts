import { Resolver } from "node:dns/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { ChalltestsrvDnsZone } from "../../../../functions/adapters/challtestsrv/challtestsrv-dns-zone.ts";
import { parseCertificate } from "../../../../functions/pki/certificate-info.ts";
import type { PlacedOrder } from "../../../../functions/ports/certificate-authority.ts";
import {
  DELEGATION_ZONE,
  issue,
  memoryVault,
  pebbleForFile,
  placeOrder,
  settledValidation,
  validation,
} from "../../../support/acme-test-kit.ts";

const bed = pebbleForFile();
const { vault } = memoryVault();
let resolver: Resolver;

beforeAll(() => {
  resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([bed.pebble.dnsAddress]);
});

/** The DNS record each challenge of the order asks for. */
function dnsRecords(placed: PlacedOrder) {
  return placed.challenges.map(({ instructions }) => {
    if (instructions.method !== "dns-txt" && instructions.method !== "dns-cname") {
      throw new Error(`not a DNS instruction: ${JSON.stringify(instructions)}`);
    }
    return instructions;
  });
}

function firstDnsRecord(placed: PlacedOrder | undefined) {
  const [first] = placed === undefined ? [] : dnsRecords(placed);
  if (first === undefined) throw new Error("no challenge");
  return first;
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

/** challtestsrv as the delegation zone, live only once `live` is set, as Route 53 is, late. */
class LateZone extends ChalltestsrvDnsZone {
  live = false;
  liveQuestions = 0;

  constructor() {
    super(bed.pebble.challtestsrvUrl);
  }

  override async isLive(): Promise<boolean> {
    this.liveQuestions += 1;
    return this.live;
  }
}

describe("ACME adapter against Pebble: dns-01", () => {
  it("issues for a name and its wildcard once the customer publishes both TXT values", async () => {
    // Prepare
    const ca = bed.authority(vault);
    const names = ["dns.certflow.test", "*.dns.certflow.test"];

    // Act
    const placed = await placeOrder(ca, { orderId: "ord_dns", names, method: "dns-txt" });
    await bed.publishTxtValues(placed.challenges);
    const outcome = await validation(ca, placed.caOrderRef);
    await bed.customerDns().clearTxt("_acme-challenge.dns.certflow.test");
    const issued = await issue(ca, placed.caOrderRef, names);

    // Assess
    const records = dnsRecords(placed);
    expect(records.map((record) => [record.recordType, record.host])).toEqual([
      ["TXT", "_acme-challenge.dns.certflow.test"],
      ["TXT", "_acme-challenge.dns.certflow.test"],
    ]);
    const values = records.map((record) => record.value);
    expect(new Set(values).size).toBe(2);
    for (const value of values) expect(value).toMatch(/^[\w-]{43}$/);
    expect(outcome).toEqual({ state: "valid" });
    expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
      ["*.dns.certflow.test", "dns.certflow.test"].sort(),
    );
    expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
  });

  it("reports a wrong TXT value as invalid, naming the CA's error", async () => {
    // Prepare
    const ca = bed.authority(vault);
    const names = ["wrong.certflow.test"];
    const placed = await placeOrder(ca, { orderId: "ord_dns_wrong", names, method: "dns-txt" });
    const record = firstDnsRecord(placed);
    await bed.customerDns().addTxt(record.host, `${record.value}x`);

    // Act
    const outcome = await validation(ca, placed.caOrderRef);
    await bed.customerDns().clearTxt(record.host);

    // Assess
    expect(outcome).toEqual({
      state: "invalid",
      reason: expect.stringMatching(
        /^wrong\.certflow\.test: urn:ietf:params:acme:error:unauthorized: .*DNS challenge/,
      ),
    });
  });
});

describe("ACME adapter against Pebble: dns-cname delegation", () => {
  const names = ["delegated.certflow.test", "*.delegated.certflow.test"];
  const customerHost = "_acme-challenge.delegated.certflow.test";

  it("asks for one CNAME per name into the delegation zone, the same for the wildcard", async () => {
    // Prepare
    const ca = bed.authority(vault);

    // Act
    const placed = await placeOrder(ca, { orderId: "ord_cname_1", names, method: "dns-cname" });

    // Assess
    const records = dnsRecords(placed);
    expect(records).toHaveLength(2);
    const [apex, wildcard] = records;
    expect(apex).toMatchObject({ method: "dns-cname", recordType: "CNAME", host: customerHost });
    expect(wildcard).toEqual(apex);
    expect(apex?.value).toMatch(
      new RegExp(`^[0-9a-f]{32}\\.${DELEGATION_ZONE.replaceAll(".", "\\.")}$`),
    );
  });

  it("without the customer's CNAME, the TXT the service writes is not found: invalid", async () => {
    // Prepare
    const ca = bed.authority(vault);
    const order = { orderId: "ord_cname_missing", method: "dns-cname" } as const;
    const placed = await placeOrder(ca, {
      ...order,
      names: ["not-delegated.certflow.test"],
    });
    const target = firstDnsRecord(placed).value;

    // Act
    await ca.requestValidation(placed.caOrderRef);
    // The adapter wrote the dns-01 value at the target; only the CNAME is missing.
    const writtenAtTarget = await txtAt(target);
    const outcome = await settledValidation(ca, placed.caOrderRef);

    // Assess
    expect(writtenAtTarget).toHaveLength(1);
    expect(outcome).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
    expect(await txtAt(target)).toEqual([]);
  });

  it("with the CNAME set once, Pebble follows it to the TXT the service writes, for every issuance", async () => {
    // Prepare
    const ca = bed.authority(vault);

    // Act
    const rounds = [];
    for (const orderId of ["ord_cname_1st", "ord_cname_renewal"]) {
      const placed = await placeOrder(ca, { orderId, names, method: "dns-cname" });
      const target = firstDnsRecord(placed).value;
      if (rounds.length === 0) await bed.customerDns().setCname(customerHost, target);
      await ca.requestValidation(placed.caOrderRef);
      const writtenAtTarget = await txtAt(target);
      const outcome = await settledValidation(ca, placed.caOrderRef);
      const leftAtTarget = await txtAt(target);
      const issued = await issue(ca, placed.caOrderRef, names);
      rounds.push({ placed, target, writtenAtTarget, outcome, leftAtTarget, issued });
    }

    // Assess
    // The same target on renewal: the customer does nothing more.
    expect(rounds[1]?.target).toBe(rounds[0]?.target);
    for (const { placed, writtenAtTarget, outcome, leftAtTarget, issued } of rounds) {
      // A value per name the CA still wants proven: Pebble now and then reuses an
      // authorization of the earlier order even with PEBBLE_AUTHZREUSE=0.
      const stillToProve = placed.challenges.filter((challenge) => !challenge.alreadyValidated);
      expect(writtenAtTarget).toHaveLength(stillToProve.length);
      expect(outcome).toEqual({ state: "valid" });
      expect(leftAtTarget).toEqual([]);
      expect(parseCertificate(issued.certificatePem).names.sort()).toEqual(
        ["*.delegated.certflow.test", "delegated.certflow.test"].sort(),
      );
      expect(await bed.opensslVerify(issued)).toMatch(/: OK$/);
    }
  });

  it("another tenant's order for the same names does not ride on that CNAME: invalid", async () => {
    // Prepare
    const ca = bed.authority(vault);
    const order = { names, method: "dns-cname" } as const;
    const placed = await placeOrder(ca, {
      ...order,
      tenantId: "tenant-b",
      orderId: "ord_cname_other_tenant",
    });
    const tenantA = await placeOrder(ca, { ...order, orderId: "ord_cname_tenant_a_again" });
    const target = firstDnsRecord(placed).value;

    // Act
    // The customer's CNAME still points at tenant-a's target, where nothing is written now.
    await ca.requestValidation(placed.caOrderRef);
    const writtenAtTarget = await txtAt(target);
    const outcome = await settledValidation(ca, placed.caOrderRef);

    // Assess
    expect(target).not.toBe(firstDnsRecord(tenantA).value);
    expect(writtenAtTarget).toHaveLength(2);
    expect(outcome).toMatchObject({
      state: "invalid",
      reason: expect.stringContaining("urn:ietf:params:acme:error:unauthorized"),
    });
  });

  it("with a zone that is slow to go live (like Route 53), asks the CA only once it is", async () => {
    // Prepare
    const zone = new LateZone();
    const ca = bed.authority(vault, { delegation: { zone, zoneName: DELEGATION_ZONE } });
    const slowNames = ["slow.certflow.test"];
    const placed = await placeOrder(ca, {
      orderId: "ord_cname_slow",
      names: slowNames,
      method: "dns-cname",
    });
    const record = firstDnsRecord(placed);
    await bed.customerDns().setCname(record.host, record.value);

    // Act
    await ca.requestValidation(placed.caOrderRef);
    const writtenAtTarget = await txtAt(record.value);
    // Pebble validates within milliseconds once asked: staying pending means it was not asked.
    const whileNotLive = [];
    for (let poll = 0; poll < 3; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      whileNotLive.push(await ca.validationProgress(placed.caOrderRef));
    }
    const questionsWhileNotLive = zone.liveQuestions;
    zone.live = true;
    const outcome = await settledValidation(ca, placed.caOrderRef);
    const issued = await issue(ca, placed.caOrderRef, slowNames);

    // Assess
    expect(writtenAtTarget).toHaveLength(1);
    expect(whileNotLive).toEqual(Array(3).fill({ state: "pending" }));
    expect(questionsWhileNotLive).toBe(4);
    expect(outcome).toEqual({ state: "valid" });
    expect(await txtAt(record.value)).toEqual([]);
    expect(parseCertificate(issued.certificatePem).names).toEqual(["slow.certflow.test"]);
  });

  it("two orders of a tenant sharing a name, in flight at once, each find their own value", async () => {
    // Prepare
    // Live only once both orders have written, so Pebble checks with both values in place.
    const zone = new LateZone();
    const ca = bed.authority(vault, { delegation: { zone, zoneName: DELEGATION_ZONE } });
    const orders = [
      { orderId: "ord_shared_1", names: ["shared.certflow.test"] },
      {
        orderId: "ord_shared_2",
        names: ["shared.certflow.test", "www.shared.certflow.test"],
      },
    ];
    const placed: PlacedOrder[] = [];
    for (const order of orders) {
      const one = await placeOrder(ca, { ...order, method: "dns-cname" });
      for (const record of dnsRecords(one)) {
        await bed.customerDns().setCname(record.host, record.value);
      }
      placed.push(one);
    }
    const sharedTarget = firstDnsRecord(placed[0]).value;

    // Act
    for (const order of placed) await ca.requestValidation(order.caOrderRef);
    const writtenAtTarget = await txtAt(sharedTarget);
    zone.live = true;
    const outcomes = [];
    for (const order of placed) outcomes.push(await settledValidation(ca, order.caOrderRef));
    const issued = [];
    for (const [index, order] of placed.entries()) {
      issued.push(await issue(ca, order.caOrderRef, orders[index]?.names ?? []));
    }

    // Assess
    expect(writtenAtTarget).toHaveLength(2);
    expect(outcomes).toEqual([{ state: "valid" }, { state: "valid" }]);
    expect(await txtAt(sharedTarget)).toEqual([]);
    expect(
      issued.map(({ certificatePem }) => parseCertificate(certificatePem).names.sort()),
    ).toEqual(orders.map(({ names }) => [...names].sort()));
  });
});
