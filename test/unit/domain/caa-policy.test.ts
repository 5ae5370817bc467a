import { describe, expect, it } from "vitest";
import {
  type CaaIdentity,
  type CaaQuestion,
  type CaaRecord,
  caaLookupNames,
  caaRecordText,
  caaValidationMethodOf,
  caaVerdict,
  parseIssueValue,
} from "../../../functions/domain/caa-policy.ts";

const EMBEDDED: CaaIdentity = { identities: ["certflow.internal"] };
const ACCOUNT = "https://ca.example/acme/acct/42";
const ACME: CaaIdentity = { identities: ["ca.example"], accountUri: ACCOUNT };

const issue = (value: string, flags = 0): CaaRecord => ({ flags, tag: "issue", value });
const issuewild = (value: string, flags = 0): CaaRecord => ({ flags, tag: "issuewild", value });

function verdict(
  records: readonly CaaRecord[] | undefined,
  options: Partial<Omit<CaaQuestion, "rrset">> & { foundAt?: string } = {},
) {
  return caaVerdict({
    name: options.name ?? "shop.example.com",
    rrset:
      records === undefined ? undefined : { foundAt: options.foundAt ?? "example.com", records },
    identity: options.identity ?? EMBEDDED,
    method: options.method ?? "dns-txt",
  });
}

function forbidden(result: ReturnType<typeof caaVerdict>) {
  if (result.verdict !== "forbidden") throw new Error(`expected forbidden, got ${result.verdict}`);
  return result;
}

describe("where CAA is looked up (RFC 8659 section 3)", () => {
  it("climbs from the name to its TLD, a wildcard from its base name", () => {
    expect(caaLookupNames("www.shop.example.com")).toEqual([
      "www.shop.example.com",
      "shop.example.com",
      "example.com",
      "com",
    ]);
    expect(caaLookupNames("*.Example.COM.")).toEqual(["example.com", "com"]);
    expect(caaLookupNames("localhost")).toEqual(["localhost"]);
  });

  it("looks up nothing for an IP address: CAA is about domain names", () => {
    expect(caaLookupNames("192.0.2.7")).toEqual([]);
    expect(caaLookupNames("2001:db8::1")).toEqual([]);
  });
});

describe("the issue property", () => {
  it("allows any CA when no CAA was found, or the RRset has no issue property", () => {
    expect(verdict(undefined).verdict).toBe("allowed");
    expect(verdict([]).verdict).toBe("allowed");
    expect(verdict([{ flags: 0, tag: "iodef", value: "mailto:ca@example.com" }]).verdict).toBe(
      "allowed",
    );
  });

  it("allows the CA a record names, whatever the case and a trailing dot", () => {
    expect(verdict([issue("letsencrypt.org"), issue("Certflow.Internal.")]).verdict).toBe(
      "allowed",
    );
    expect(verdict([issue("  certflow.internal  ; ")]).verdict).toBe("allowed");
  });

  it("forbids a CA no record names, naming the records found and the record to add", () => {
    const result = forbidden(verdict([issue("letsencrypt.org"), issue("pki.goog")]));
    expect(result.records).toEqual([
      'example.com. CAA 0 issue "letsencrypt.org"',
      'example.com. CAA 0 issue "pki.goog"',
    ]);
    expect(result.remedy).toBe('example.com. CAA 0 issue "certflow.internal"');
    expect(result.message).toContain("CAA at example.com (for shop.example.com)");
    expect(result.message).toContain('example.com. CAA 0 issue "letsencrypt.org"');
    expect(result.message).toContain('Add example.com. CAA 0 issue "certflow.internal"');
  });

  it('forbids every CA with an empty issuer (issue ";")', () => {
    const result = forbidden(verdict([issue(";")]));
    expect(result.records).toEqual(['example.com. CAA 0 issue ";"']);
  });

  it("treats a malformed value as naming no CA", () => {
    expect(parseIssueValue("certflow.internal; accounturi")).toBeUndefined();
    expect(parseIssueValue("certflow internal")).toBeUndefined();
    expect(parseIssueValue("-certflow.internal")).toBeUndefined();
    forbidden(verdict([issue("certflow.internal; =x")]));
  });

  it("parses the issuer and the parameters", () => {
    expect(
      parseIssueValue(" ca.example ; accounturi=https://a/1 ; validationmethods=dns-01 "),
    ).toEqual({
      issuer: "ca.example",
      parameters: new Map([
        ["accounturi", "https://a/1"],
        ["validationmethods", "dns-01"],
      ]),
    });
    expect(parseIssueValue(";")).toEqual({ issuer: undefined, parameters: new Map() });
  });

  it("matches tags whatever their case", () => {
    expect(verdict([{ flags: 0, tag: "ISSUE", value: "certflow.internal" }]).verdict).toBe(
      "allowed",
    );
    forbidden(verdict([{ flags: 0, tag: "Issue", value: "letsencrypt.org" }]));
  });

  it("writes records as zone-file lines, quotes escaped", () => {
    expect(caaRecordText("Example.com.", issue('a"b'))).toBe('example.com. CAA 0 issue "a\\"b"');
  });
});

describe("issuewild for wildcard names", () => {
  it("uses issuewild for a wildcard when there is one, and issue otherwise", () => {
    const records = [issue("certflow.internal"), issuewild("letsencrypt.org")];
    const wild = forbidden(verdict(records, { name: "*.example.com" }));
    expect(wild.records).toEqual(['example.com. CAA 0 issuewild "letsencrypt.org"']);
    expect(wild.remedy).toBe('example.com. CAA 0 issuewild "certflow.internal"');
    expect(wild.message).toContain("issuewild records count");
    expect(verdict(records, { name: "www.example.com" }).verdict).toBe("allowed");
    expect(verdict([issue("certflow.internal")], { name: "*.example.com" }).verdict).toBe(
      "allowed",
    );
    expect(
      verdict([issue(";"), issuewild("certflow.internal")], { name: "*.example.com" }).verdict,
    ).toBe("allowed");
  });

  it("ignores issuewild for a name that is not a wildcard", () => {
    expect(verdict([issuewild(";")], { name: "www.example.com" }).verdict).toBe("allowed");
  });
});

describe("critical flags", () => {
  it("forbids every CA when a tag it does not know is marked critical", () => {
    const result = forbidden(
      verdict([issue("certflow.internal"), { flags: 128, tag: "tbs", value: "x" }]),
    );
    expect(result.records).toEqual(['example.com. CAA 128 tbs "x"']);
    expect(result.remedy).toBe('example.com. CAA 0 tbs "x"');
    expect(result.message).toContain("marked critical");
    expect(result.message).toContain("(tbs)");
  });

  it("accepts known tags marked critical, and unknown ones that are not", () => {
    expect(
      verdict([issue("certflow.internal", 128), { flags: 0, tag: "future", value: "x" }]).verdict,
    ).toBe("allowed");
    expect(verdict([{ flags: 128, tag: "iodef", value: "mailto:a@b.c" }]).verdict).toBe("allowed");
  });
});

describe("RFC 8657 accounturi and validationmethods", () => {
  it("allows only the named ACME account", () => {
    expect(verdict([issue(`ca.example; accounturi=${ACCOUNT}`)], { identity: ACME }).verdict).toBe(
      "allowed",
    );
    const other = forbidden(
      verdict([issue("ca.example; accounturi=https://ca.example/acme/acct/7")], {
        identity: ACME,
      }),
    );
    expect(other.message).toContain("only to the ACME account https://ca.example/acme/acct/7");
    expect(other.remedy).toBe(`example.com. CAA 0 issue "ca.example; accounturi=${ACCOUNT}"`);
  });

  it("never lets a CA without accounts issue under an accounturi", () => {
    const result = forbidden(verdict([issue("certflow.internal; accounturi=https://x/acct/1")]));
    expect(result.message).toContain("issues without ACME accounts");
  });

  it("allows when one of several records for the CA permits", () => {
    expect(
      verdict(
        [
          issue("ca.example; accounturi=https://ca.example/acme/acct/7"),
          issue(`ca.example; accounturi=${ACCOUNT}`),
        ],
        { identity: ACME },
      ).verdict,
    ).toBe("allowed");
  });

  it("allows only the listed validation methods", () => {
    const records = [issue("certflow.internal; validationmethods=http-01")];
    expect(verdict(records, { method: "http-file" }).verdict).toBe("allowed");
    const dns = forbidden(verdict(records, { method: "dns-txt" }));
    expect(dns.message).toContain("only after validation by http-01");
    expect(dns.message).toContain("validates by dns-01");
    expect(dns.remedy).toBe(
      'example.com. CAA 0 issue "certflow.internal; validationmethods=http-01,dns-01"',
    );
    expect(
      verdict([issue("certflow.internal; validationmethods=dns-01,http-01")], {
        method: "dns-cname",
      }).verdict,
    ).toBe("allowed");
    forbidden(verdict(records, { method: "email" }));
  });

  it("names certflow's methods as RFC 8657 does", () => {
    expect(caaValidationMethodOf("dns-txt")).toBe("dns-01");
    expect(caaValidationMethodOf("dns-cname")).toBe("dns-01");
    expect(caaValidationMethodOf("http-file")).toBe("http-01");
    expect(caaValidationMethodOf("email")).toBeUndefined();
  });
});

describe("a CA whose CAA domain is not known", () => {
  it("cannot be allowed by an issue record, and says so", () => {
    const result = forbidden(
      verdict([issue("letsencrypt.org")], { identity: { identities: [], accountUri: ACCOUNT } }),
    );
    expect(result.message).toContain("does not know the CAA domain of its CA");
    expect(verdict(undefined, { identity: { identities: [] } }).verdict).toBe("allowed");
  });
});
