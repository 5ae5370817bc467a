import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCaaLookup } from "../../../../functions/adapters/dcv/caa-lookup.ts";
import { createNetworkDcvChecker } from "../../../../functions/adapters/dcv/network-dcv-checker.ts";
import type { CaaLookup } from "../../../../functions/ports/caa-lookup.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";
import { startSwallowingUdp } from "./support/silent-servers.ts";

let dns: CustomerDnsServer;
let swallowing: Awaited<ReturnType<typeof startSwallowingUdp>>;
let lookup: CaaLookup;

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  swallowing = await startSwallowingUdp();
  lookup = createCaaLookup({ resolver: dns.address, timeoutMs: 2_000 });
});

afterAll(async () => {
  await dns?.close();
  await swallowing?.close();
});

beforeEach(() => dns.clear());

const issue = (value: string, flags = 0) => ({ flags, tag: "issue", value });

describe("CAA lookups through the configured resolver", () => {
  it("find the name's own RRset, flags, tags and values as published", async () => {
    dns.setCaa("shop.certflow.test", [
      issue("certflow.internal; accounturi=https://ca.example/acct/1"),
      { flags: 128, tag: "tbs", value: "unknown" },
    ]);
    expect(await lookup.caa("shop.certflow.test")).toEqual({
      kind: "found",
      rrset: {
        foundAt: "shop.certflow.test",
        records: [
          issue("certflow.internal; accounturi=https://ca.example/acct/1"),
          { flags: 128, tag: "tbs", value: "unknown" },
        ],
      },
    });
  });

  it("climb to the parents, past names that do not exist or have no CAA", async () => {
    dns.setCaa("certflow.test", [issue("letsencrypt.org")]);
    dns.setTxt("www.shop.certflow.test", ["not CAA"]);
    expect(await lookup.caa("www.shop.certflow.test")).toMatchObject({
      kind: "found",
      rrset: { foundAt: "certflow.test" },
    });
    expect(await lookup.caa("*.deep.below.certflow.test")).toMatchObject({
      kind: "found",
      rrset: { foundAt: "certflow.test" },
    });
  });

  it("stop at the first RRset found on the way up", async () => {
    dns.setCaa("certflow.test", [issue("letsencrypt.org")]);
    dns.setCaa("shop.certflow.test", [issue("certflow.internal")]);
    expect(await lookup.caa("www.shop.certflow.test")).toMatchObject({
      kind: "found",
      rrset: { foundAt: "shop.certflow.test", records: [issue("certflow.internal")] },
    });
  });

  it("follow a CNAME at the name to its target's CAA", async () => {
    dns.setCaa("cdn.provider.test", [issue("certflow.internal")]);
    dns.setCname("shop.certflow.test", "cdn.provider.test");
    expect(await lookup.caa("shop.certflow.test")).toEqual({
      kind: "found",
      rrset: { foundAt: "shop.certflow.test", records: [issue("certflow.internal")] },
    });
  });

  it("find none when no name up to the TLD has CAA", async () => {
    expect(await lookup.caa("shop.certflow.test")).toEqual({ kind: "none" });
  });

  it("report a SERVFAIL on the way up as DNS_SERVFAIL, no verdict", async () => {
    dns.setCaa("certflow.test", [issue("certflow.internal")]);
    dns.setServfail("shop.certflow.test");
    const finding = await lookup.caa("www.shop.certflow.test");
    expect(finding).toMatchObject({ kind: "failed", cause: "DNS_SERVFAIL" });
    expect(finding.kind === "failed" && finding.detail).toContain("shop.certflow.test");
  });

  it("report a resolver that does not answer as TIMEOUT within the budget", async () => {
    const silent = createCaaLookup({ resolver: swallowing.address, timeoutMs: 300 });
    const started = Date.now();
    expect(await silent.caa("shop.certflow.test")).toMatchObject({
      kind: "failed",
      cause: "TIMEOUT",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("are what the network DCV checker's caa answers", async () => {
    dns.setCaa("certflow.test", [issue("certflow.internal")]);
    const checker = createNetworkDcvChecker({ resolver: dns.address, timeoutMs: 2_000 });
    expect(await checker.caa?.("shop.certflow.test")).toMatchObject({
      kind: "found",
      rrset: { foundAt: "certflow.test" },
    });
  });
});
