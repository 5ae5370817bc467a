import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import type { DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import {
  type AuthoritativePair,
  startAuthoritativePair,
} from "../../../support/authoritative-dns-servers.ts";

const zone = "propagation.certflow.test";
const host = `_acme-challenge.shop.${zone}`;
const value = "cHJvcGFnYXRpb24tdmlldy12YWx1ZQ";
const ns1 = { name: `ns1.${zone}`, address: "127.0.0.2" };
const ns2 = { name: `ns2.${zone}`, address: "127.0.0.3" };

let resolver: CustomerDnsServer;
let servers: AuthoritativePair;
let checker: DcvChecker;

beforeAll(async () => {
  resolver = await startCustomerDnsServer({ host: "127.0.0.1" });
  servers = await startAuthoritativePair();
  checker = createNetworkDcvChecker({
    resolver: resolver.address,
    authoritativePort: servers.port,
    timeoutMs: 1_000,
  });
});

afterAll(async () => {
  await resolver?.close();
  await servers?.close();
});

beforeEach(() => {
  resolver.clear();
  servers.ns1.clear();
  servers.ns2.clear();
  servers.delegate(resolver, zone);
});

describe("dns-txt checks with the zone's authoritative servers", () => {
  const txt = () => checker.check({ kind: "dns-txt", host, value });

  it("name the server that has the record and the one that has not yet", async () => {
    // Prepare
    resolver.setTxt(host, [value]);
    servers.ns1.setTxt(host, [value]);

    // Act
    const outcome = await txt();

    // Assess
    expect(outcome).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(outcome.ok || outcome.detail).toMatch(
      /^Published on ns1\.propagation\.certflow\.test \(127\.0\.0\.2\), not yet on ns2\.propagation\.certflow\.test \(127\.0\.0\.3\)\./,
    );
    expect(outcome.servers).toEqual([
      { ...ns1, found: true, answered: true },
      {
        ...ns2,
        found: false,
        answered: true,
        detail: `The name ${host} does not exist in DNS (NXDOMAIN), so it has no TXT record.`,
      },
    ]);
  });

  it("pass once every authoritative server has the record", async () => {
    resolver.setTxt(host, [value]);
    servers.ns1.setTxt(host, [value]);
    servers.ns2.setTxt(host, ["stale", value]);
    expect(await txt()).toEqual({
      ok: true,
      servers: [
        { ...ns1, found: true, answered: true },
        { ...ns2, found: true, answered: true },
      ],
    });
  });

  it("report a server with an old value as not having the record yet", async () => {
    resolver.setTxt(host, [value]);
    servers.ns1.setTxt(host, [value]);
    servers.ns2.setTxt(host, ["an-old-value"]);
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(outcome.servers?.[1]).toMatchObject({
      found: false,
      answered: true,
      detail: expect.stringContaining('"an-old-value"'),
    });
  });

  it("keep the resolver's cause when no server has the record, and list the servers", async () => {
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "NXDOMAIN" });
    expect(outcome.ok || outcome.detail).toContain(
      `Authoritative servers: not yet on ${ns1.name} (127.0.0.2) and ${ns2.name} (127.0.0.3).`,
    );
  });

  it("show a server that does not answer without letting it block", async () => {
    resolver.setNs(zone, [ns1.name, ns2.name, `ns3.${zone}`]);
    resolver.setA(`ns3.${zone}`, "127.0.0.4");
    resolver.setTxt(host, [value]);
    servers.ns1.setTxt(host, [value]);
    servers.ns2.setTxt(host, [value]);
    const outcome = await txt();
    expect(outcome.ok).toBe(true);
    expect(outcome.servers?.[2]).toMatchObject({
      name: `ns3.${zone}`,
      address: "127.0.0.4",
      found: false,
      answered: false,
    });
  });

  it("show a server whose address is not found, by name", async () => {
    resolver.setNs(zone, [ns1.name, ns2.name, `ns3.${zone}`]);
    resolver.setTxt(host, [value]);
    servers.ns1.setTxt(host, [value]);
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(outcome.ok || outcome.detail).toContain(`no answer from ns3.${zone}.`);
    expect(outcome.servers?.[2]).toMatchObject({ address: "", answered: false });
  });

  it("ask the servers of the zone an alias leads to, for the record at its target", async () => {
    // Prepare: the record's name is a CNAME into another zone, served by the two servers.
    const otherZone = "elsewhere.certflow.test";
    const target = `challenge.${otherZone}`;
    resolver.clear();
    servers.delegate(resolver, otherZone);
    resolver.setCname(host, target);
    resolver.setTxt(target, [value]);
    servers.ns1.setTxt(target, [value]);

    // Act
    const outcome = await txt();

    // Assess
    expect(outcome).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(outcome.ok || outcome.detail).toMatch(
      /^Published on ns1\.elsewhere\.certflow\.test \(127\.0\.0\.2\), not yet on ns2\.elsewhere\.certflow\.test \(127\.0\.0\.3\)\./,
    );
    servers.ns2.setTxt(target, [value]);
    expect(await txt()).toMatchObject({ ok: true });
  });

  it("check as before, without servers, when the resolver knows no NS records for the zone", async () => {
    resolver.clear();
    resolver.setTxt(host, [value]);
    expect(await txt()).toEqual({ ok: true });
  });
});

describe("dns-cname checks with the zone's authoritative servers", () => {
  const target = "a1b2c3.dcv.certflow.internal";

  it("name the server where the CNAME is not yet", async () => {
    resolver.setCname(host, target);
    servers.ns2.setCname(host, target);
    const outcome = await checker.check({ kind: "dns-cname", host, value: target });
    expect(outcome).toMatchObject({ ok: false, cause: "NOT_PROPAGATED" });
    expect(outcome.ok || outcome.detail).toMatch(
      /^Published on ns2\.propagation\.certflow\.test \(127\.0\.0\.3\), not yet on ns1\.propagation\.certflow\.test \(127\.0\.0\.2\)\..*CNAME record/,
    );
  });
});
