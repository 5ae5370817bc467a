import { describe, expect, it } from "vitest";
import { checkDnsCname, checkDnsTxt } from "../../../../functions/adapters/dcv/dns-check.ts";
import {
  type DnsLookup,
  DnsLookupFailure,
  dnsFailureOfCode,
} from "../../../../functions/adapters/dcv/dns-lookup.ts";

const host = "_certflow-challenge.shop.example.com";

/** A lookup answering every query with the same records, or failing with a node:dns code. */
function fakeLookup(answer: string[] | string): DnsLookup {
  const respond = async () => {
    if (typeof answer === "string") {
      throw new DnsLookupFailure(dnsFailureOfCode(answer), answer, answer);
    }
    return answer;
  };
  return { txt: respond, cname: respond, ns: respond, address: async () => "127.0.0.1" };
}

describe("dnsFailureOfCode", () => {
  it.each([
    ["ENOTFOUND", "NXDOMAIN"],
    ["ENODATA", "NO_RECORD"],
    ["ECONNREFUSED", "CONNECTION_REFUSED"],
    ["EREFUSED", "CONNECTION_REFUSED"],
    ["ETIMEOUT", "TIMEOUT"],
    ["ECANCELLED", "TIMEOUT"],
    ["ESERVFAIL", "SERVFAIL"],
    ["EAI_AGAIN", "TIMEOUT"],
  ])("%s → %s", (code, failure) => {
    expect(dnsFailureOfCode(code)).toBe(failure);
  });
});

describe("checkDnsTxt", () => {
  it("passes on an exact match among several records", async () => {
    expect(await checkDnsTxt(fakeLookup(["other", "v4lue"]), host, "v4lue", 1_000)).toEqual({
      ok: true,
    });
  });

  it("does not trim: a padded value is WRONG_VALUE, with advice", async () => {
    const outcome = await checkDnsTxt(fakeLookup(["v4lue\n"]), host, "v4lue", 1_000);
    expect(outcome).toEqual({
      ok: false,
      cause: "WRONG_VALUE",
      detail: `The TXT record at ${host} holds "v4lue\\n", not the expected value "v4lue". One record has the value with extra spaces around it: remove them.`,
    });
  });

  it.each([
    ["ENOTFOUND", "NXDOMAIN", "does not exist in DNS"],
    ["ENODATA", "NO_RECORD", "the name exists but has no TXT record"],
    ["ETIMEOUT", "TIMEOUT", "within 1.5 s"],
    ["ESERVFAIL", "DNS_SERVFAIL", "answered SERVFAIL"],
    ["ECONNREFUSED", "CONNECTION_REFUSED", "could not be reached"],
  ])("turns %s into %s", async (code, cause, words) => {
    const outcome = await checkDnsTxt(fakeLookup(code), host, "v", 1_500);
    expect(outcome).toMatchObject({ ok: false, cause });
    expect(outcome.ok || outcome.detail).toContain(words);
    expect(outcome.ok || outcome.detail).toContain(host);
  });
});

describe("checkDnsCname", () => {
  it("compares targets without regard to case or the trailing dot", async () => {
    const lookup = fakeLookup(["Tok3n.DCV.certflow.internal."]);
    expect(await checkDnsCname(lookup, host, "tok3n.dcv.certflow.internal", 1_000)).toEqual({
      ok: true,
    });
  });

  it("names the target found when it is another", async () => {
    const outcome = await checkDnsCname(fakeLookup(["x.example.net"]), host, "y.example", 1_000);
    expect(outcome).toEqual({
      ok: false,
      cause: "WRONG_VALUE",
      detail: `The CNAME record at ${host} points to "x.example.net", not to "y.example".`,
    });
  });
});
