import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../../../infra/local/customer-dns-server.ts";

let dns: CustomerDnsServer;
let resolver: Resolver;

const failureCode = (query: Promise<unknown>) =>
  query.then(
    () => "no error",
    (error: { code?: string }) => error.code,
  );

beforeAll(async () => {
  dns = await startCustomerDnsServer({ host: "127.0.0.1", port: 0 });
  resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([dns.address]);
});

afterAll(async () => {
  await dns?.close();
});

beforeEach(() => dns.clear());

describe("the customer's DNS server", () => {
  it("listens on 127.0.0.1 and gives its address as host:port", () => {
    expect(dns.address).toBe(`127.0.0.1:${dns.port}`);
    expect(dns.port).toBeGreaterThan(0);
  });

  it("answers A, AAAA and TXT records, names compared without regard to case", async () => {
    dns.setA("Shop.Certflow.TEST", "127.0.0.1");
    dns.setAaaa("shop.certflow.test", "::1");
    dns.setTxt("_certflow-challenge.shop.certflow.test", ["first", "second"]);
    expect(await resolver.resolve4("shop.certflow.test")).toEqual(["127.0.0.1"]);
    expect(await resolver.resolve6("SHOP.certflow.test.")).toEqual(["::1"]);
    const txt = await resolver.resolveTxt("_CERTFLOW-challenge.shop.certflow.test");
    expect(txt.map((chunks) => chunks.join("")).sort()).toEqual(["first", "second"]);
  });

  it("answers NXDOMAIN for an unknown name, so node reports ENOTFOUND", async () => {
    expect(await failureCode(resolver.resolveTxt("missing.certflow.test"))).toBe("ENOTFOUND");
    expect(await failureCode(resolver.resolve4("missing.certflow.test"))).toBe("ENOTFOUND");
  });

  it("answers NOERROR without answers for a known name lacking the type, so node reports ENODATA", async () => {
    dns.setA("shop.certflow.test", "127.0.0.1");
    expect(await failureCode(resolver.resolveTxt("shop.certflow.test"))).toBe("ENODATA");
    expect(await failureCode(resolver.resolveCname("shop.certflow.test"))).toBe("ENODATA");
  });

  it("treats the parent of a known name as existing (an empty non-terminal)", async () => {
    dns.setTxt("_certflow-challenge.a.demo.localhost", ["v"]);
    expect(await failureCode(resolver.resolveTxt("a.demo.localhost"))).toBe("ENODATA");
    expect(await failureCode(resolver.resolveTxt("b.demo.localhost"))).toBe("ENOTFOUND");
  });

  it("splits TXT values over 255 bytes into character-strings, and answers large sets over TCP", async () => {
    const long = "k".repeat(600);
    dns.setTxt("long.certflow.test", [long]);
    const [record] = await resolver.resolveTxt("long.certflow.test");
    expect(record?.map((chunk) => chunk.length)).toEqual([255, 255, 90]);
    expect(record?.join("")).toBe(long);

    // Five 200-byte records do not fit a 512-byte UDP answer: node retries over TCP.
    const values = ["a", "b", "c", "d", "e"].map((letter) => letter.repeat(200));
    dns.setTxt("many.certflow.test", values);
    const many = await resolver.resolveTxt("many.certflow.test");
    expect(many.map((chunks) => chunks.join("")).sort()).toEqual(values);
  });

  it("answers CNAME records and follows them inside its zone", async () => {
    dns.setA("target.certflow.test", "127.0.0.1");
    dns.setCname("alias.certflow.test", "target.certflow.test");
    expect(await resolver.resolveCname("ALIAS.certflow.test")).toEqual(["target.certflow.test"]);
    expect(await resolver.resolve4("alias.certflow.test")).toEqual(["127.0.0.1"]);
  });

  it("removes one type or the whole name", async () => {
    dns.setA("shop.certflow.test", "127.0.0.1");
    dns.setTxt("shop.certflow.test", ["v"]);
    dns.remove("shop.certflow.test", "TXT");
    expect(await failureCode(resolver.resolveTxt("shop.certflow.test"))).toBe("ENODATA");
    expect(await resolver.resolve4("shop.certflow.test")).toEqual(["127.0.0.1"]);
    dns.remove("SHOP.certflow.test");
    expect(await failureCode(resolver.resolve4("shop.certflow.test"))).toBe("ENOTFOUND");
  });

  it("replaces TXT values on a second setTxt", async () => {
    dns.setTxt("shop.certflow.test", ["old"]);
    dns.setTxt("shop.certflow.test", ["new"]);
    expect(await resolver.resolveTxt("shop.certflow.test")).toEqual([["new"]]);
  });

  it("answers NS records naming the zone's authoritative servers", async () => {
    dns.setNs("zone.certflow.test", ["ns1.zone.certflow.test", "ns2.zone.certflow.test"]);
    expect((await resolver.resolveNs("zone.certflow.test")).sort()).toEqual([
      "ns1.zone.certflow.test",
      "ns2.zone.certflow.test",
    ]);
    dns.remove("zone.certflow.test", "NS");
    expect(await failureCode(resolver.resolveNs("zone.certflow.test"))).toBe("ENOTFOUND");
  });
});

it("listens on another loopback address, such as 127.0.0.2", async () => {
  const second = await startCustomerDnsServer({ host: "127.0.0.2" });
  try {
    second.setTxt("zone.certflow.test", ["on the second server"]);
    const asking = new Resolver({ timeout: 2_000, tries: 1 });
    asking.setServers([second.address]);
    expect(second.address).toBe(`127.0.0.2:${second.port}`);
    expect(await asking.resolveTxt("zone.certflow.test")).toEqual([["on the second server"]]);
  } finally {
    await second.close();
  }
});

it("closes more than once without error, freeing its port", async () => {
  const extra = await startCustomerDnsServer();
  await extra.close();
  await expect(extra.close()).resolves.toBeUndefined();
  const again = await startCustomerDnsServer({ port: extra.port });
  expect(again.port).toBe(extra.port);
  await again.close();
});
