import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import type { DcvChecker } from "../../../../functions/ports/dcv-checker.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import { closedUdpAddress, startSwallowingUdp } from "./support/silent-servers.ts";

const host = "_certflow-challenge.shop.certflow.test";
const value = "c2VjcmV0LXZhbHVlLWZvci10aGUtY2hhbGxlbmdl";

let dns: CustomerDnsServer;
let swallowing: Awaited<ReturnType<typeof startSwallowingUdp>>;
let checker: DcvChecker;

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  swallowing = await startSwallowingUdp();
  checker = createNetworkDcvChecker({ resolver: dns.address, timeoutMs: 2_000 });
});

afterAll(async () => {
  await dns?.close();
  await swallowing?.close();
});

beforeEach(() => dns.clear());

describe("dns-txt checks", () => {
  const txt = () => checker.check({ kind: "dns-txt", host, value });

  it("report a SERVFAIL answer as DNS_SERVFAIL, not as a missing record", async () => {
    // Prepare
    dns.setTxt(host, [value]);
    dns.setServfail(host);

    // Act
    const outcome = await txt();

    // Assess
    expect(outcome).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
  });

  it("pass when one of the TXT records holds the value exactly", async () => {
    dns.setTxt(host, ["v=spf1 -all", value]);
    expect(await txt()).toEqual({ ok: true });
  });

  it("pass for a value longer than one 255-byte character-string", async () => {
    const long = "L".repeat(400);
    dns.setTxt(host, [long]);
    expect(await checker.check({ kind: "dns-txt", host, value: long })).toEqual({ ok: true });
  });

  it("report NXDOMAIN when the name does not exist", async () => {
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "NXDOMAIN" });
    expect(outcome.ok || outcome.detail).toContain(host);
  });

  it("report NO_RECORD when the name exists without a TXT record", async () => {
    dns.setA(host, "127.0.0.1");
    expect(await txt()).toEqual({
      ok: false,
      cause: "NO_RECORD",
      detail: `No TXT record at ${host} (the name exists but has no TXT record).`,
    });
  });

  it("report WRONG_VALUE with up to three of the values found", async () => {
    dns.setTxt(host, ["one", "two", "three", "four"]);
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
    if (outcome.ok) return;
    expect(outcome.detail).toContain(host);
    expect(outcome.detail).toContain(value);
    expect(outcome.detail).toMatch(/and 1 more/);
    expect(outcome.detail.match(/"(one|two|three|four)"/g)).toHaveLength(3);
  });

  it("report WRONG_VALUE for a value with extra spaces, and say so", async () => {
    dns.setTxt(host, [` ${value} `]);
    const outcome = await txt();
    expect(outcome).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
    expect(outcome.ok || outcome.detail).toMatch(/extra spaces/);
  });

  it("report TIMEOUT when the DNS server never answers", async () => {
    const slow = createNetworkDcvChecker({ resolver: swallowing.address, timeoutMs: 300 });
    const started = Date.now();
    const outcome = await slow.check({ kind: "dns-txt", host, value });
    expect(outcome).toMatchObject({ ok: false, cause: "TIMEOUT" });
    expect(outcome.ok || outcome.detail).toContain(host);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("report CONNECTION_REFUSED when nothing listens on the resolver port", async () => {
    const refused = createNetworkDcvChecker({
      resolver: await closedUdpAddress(),
      timeoutMs: 2_000,
    });
    const outcome = await refused.check({ kind: "dns-txt", host, value });
    expect(outcome).toMatchObject({ ok: false, cause: "CONNECTION_REFUSED" });
    expect(outcome.ok || outcome.detail).toContain(host);
  });
});

describe("dns-cname checks", () => {
  const cnameHost = "_certflow-challenge.a.demo.localhost";
  const target = "a1b2c3.dcv.certflow.internal";

  it("pass when the CNAME points at the target, whatever the case or trailing dot", async () => {
    dns.setCname(cnameHost, "A1B2C3.dcv.certflow.internal.");
    expect(await checker.check({ kind: "dns-cname", host: cnameHost, value: target })).toEqual({
      ok: true,
    });
  });

  it("report WRONG_VALUE naming where the CNAME points instead", async () => {
    dns.setCname(cnameHost, "elsewhere.example.net");
    const outcome = await checker.check({ kind: "dns-cname", host: cnameHost, value: target });
    expect(outcome).toMatchObject({ ok: false, cause: "WRONG_VALUE" });
    expect(outcome.ok || outcome.detail).toContain('"elsewhere.example.net"');
  });

  it("report NO_RECORD when the name has a TXT record instead of a CNAME", async () => {
    dns.setTxt(cnameHost, [target]);
    const outcome = await checker.check({ kind: "dns-cname", host: cnameHost, value: target });
    expect(outcome).toMatchObject({ ok: false, cause: "NO_RECORD" });
    expect(outcome.ok || outcome.detail).toContain("CNAME record");
  });

  it("report NXDOMAIN when the name does not exist", async () => {
    const outcome = await checker.check({ kind: "dns-cname", host: cnameHost, value: target });
    expect(outcome).toMatchObject({ ok: false, cause: "NXDOMAIN" });
  });
});
