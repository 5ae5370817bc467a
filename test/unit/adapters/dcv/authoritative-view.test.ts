import { describe, expect, it } from "vitest";
import {
  aliasTarget,
  findAuthoritativeServers,
  serverAnswer,
  serverAt,
} from "../../../../functions/adapters/dcv/authoritative-view.ts";
import {
  type DnsLookup,
  DnsLookupFailure,
  dnsFailureOfCode,
} from "../../../../functions/adapters/dcv/dns-lookup.ts";

const fail = (code: string) => new DnsLookupFailure(dnsFailureOfCode(code), code, code);

/** NS answers per name (a string is a node:dns error code); addresses per host. */
function fakeLookup(
  ns: Record<string, string[] | string>,
  addresses: Record<string, string> = {},
): DnsLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    txt: async () => [],
    cname: async () => [],
    async ns(name) {
      asked.push(name);
      const answer = ns[name] ?? "ENOTFOUND";
      if (typeof answer === "string") throw fail(answer);
      return answer;
    },
    async address(name) {
      const address = addresses[name];
      if (address === undefined) throw fail("ENOTFOUND");
      return address;
    },
  };
}

const host = "_acme-challenge.shop.example.com";

describe("findAuthoritativeServers", () => {
  it("climbs from the record's name to the first name with NS records", async () => {
    const dns = fakeLookup(
      {
        [host]: "ENOTFOUND",
        "shop.example.com": "ENODATA",
        "example.com": ["ns2.example.net", "NS1.example.net"],
      },
      { "ns1.example.net": "192.0.2.1", "ns2.example.net": "192.0.2.2" },
    );
    expect(await findAuthoritativeServers(dns, host)).toEqual([
      { name: "ns1.example.net", address: "192.0.2.1" },
      { name: "ns2.example.net", address: "192.0.2.2" },
    ]);
    expect(dns.asked).toEqual([host, "shop.example.com", "example.com"]);
  });

  it("never asks a top-level domain, and finds none when no zone below it has NS records", async () => {
    const dns = fakeLookup({ com: ["a.gtld-servers.net"] });
    expect(await findAuthoritativeServers(dns, host)).toEqual([]);
    expect(dns.asked).not.toContain("com");
  });

  it("stops at a lookup that fails other than with NXDOMAIN or no record", async () => {
    const dns = fakeLookup({ [host]: "ENODATA", "shop.example.com": "ETIMEOUT" });
    expect(await findAuthoritativeServers(dns, host)).toEqual([]);
    expect(dns.asked).toEqual([host, "shop.example.com"]);
  });

  it("keeps a server whose address is not found, with an empty address", async () => {
    const dns = fakeLookup(
      { "example.com": ["ns1.example.net", "ns2.example.net"] },
      { "ns1.example.net": "192.0.2.1" },
    );
    expect(await findAuthoritativeServers(dns, "example.com")).toEqual([
      { name: "ns1.example.net", address: "192.0.2.1" },
      { name: "ns2.example.net", address: "" },
    ]);
  });
});

describe("aliasTarget", () => {
  /** CNAME answers per name; any other name has none (no record). */
  function aliases(cnames: Record<string, string>): DnsLookup {
    return {
      txt: async () => [],
      ns: async () => [],
      address: async () => "192.0.2.1",
      async cname(name) {
        const target = cnames[name];
        if (target === undefined) throw fail("ENODATA");
        return [target];
      },
    };
  }

  it("follows a CNAME chain to the name that holds the record", async () => {
    const dns = aliases({ [host]: "a.other.example.", "a.other.example": "b.third.example" });
    expect(await aliasTarget(dns, host)).toBe("b.third.example");
  });

  it("is the name itself when it is no alias", async () => {
    expect(await aliasTarget(aliases({}), host)).toBe(host);
  });

  it("stops after 8 hops of a CNAME loop", async () => {
    const dns = aliases({ "a.example": "b.example", "b.example": "a.example" });
    expect(["a.example", "b.example"]).toContain(await aliasTarget(dns, "a.example"));
  });
});

describe("serverAnswer", () => {
  const server = { name: "ns1.example.net", address: "192.0.2.1" };

  it("is found when the check at the server passes", () => {
    expect(serverAnswer(server, { ok: true })).toEqual({ ...server, answer: "found" });
  });

  it.each([
    ["NXDOMAIN", "missing"],
    ["NO_RECORD", "missing"],
    ["WRONG_VALUE", "missing"],
    ["TIMEOUT", "no-answer"],
    ["CONNECTION_REFUSED", "no-answer"],
    ["DNS_SERVFAIL", "no-answer"],
  ] as const)("is %s → %s", (cause, answer) => {
    expect(serverAnswer(server, { ok: false, cause, detail: "what it said" })).toEqual({
      ...server,
      answer,
      detail: "what it said",
    });
  });
});

describe("serverAt", () => {
  it("writes IPv4 and IPv6 addresses with the port as a resolver takes them", () => {
    expect(serverAt("127.0.0.2", 5353)).toBe("127.0.0.2:5353");
    expect(serverAt("2001:db8::1", 53)).toBe("[2001:db8::1]:53");
  });
});
