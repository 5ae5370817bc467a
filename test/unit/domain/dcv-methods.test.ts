import { describe, expect, it } from "vitest";
import {
  approverEmails,
  checkValidationMethod,
  isValidationMethod,
  normalizeApproverEmail,
  VALIDATION_METHODS,
  type ValidationMethod,
} from "../../../functions/domain/dcv-methods.ts";
import { type DomainName, normalizeDomainNames } from "../../../functions/domain/domain-names.ts";

function domainNames(...input: string[]): DomainName[] {
  const result = normalizeDomainNames(input, { issuer: "public" });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const BEFORE_DEPRECATION = new Date("2026-03-14T23:59:59Z");
const DEPRECATED = new Date("2026-03-15T00:00:00Z");
const LAST_EMAIL_MOMENT = new Date("2028-03-14T23:59:59.999Z");
const RETIRED = new Date("2028-03-15T00:00:00Z");

function codes(
  names: DomainName[],
  method: ValidationMethod,
  options: { validationDate?: Date; approverEmail?: string } = {},
) {
  const result = checkValidationMethod(names, method, {
    validationDate: options.validationDate ?? BEFORE_DEPRECATION,
    approverEmail: options.approverEmail,
  });
  return result.ok
    ? { problems: [], warnings: result.warnings.map((warning) => warning.code) }
    : { problems: result.problems.map((problem) => problem.code), warnings: [] };
}

describe("validation methods", () => {
  it("offers file, DNS TXT, DNS CNAME and email", () => {
    expect(VALIDATION_METHODS).toEqual(["http-file", "dns-txt", "dns-cname", "email"]);
    expect(isValidationMethod("dns-txt")).toBe(true);
    expect(isValidationMethod("tls-alpn")).toBe(false);
  });
});

describe("approverEmails", () => {
  const mailboxesAt = (domain: string) =>
    ["admin", "administrator", "webmaster", "hostmaster", "postmaster"].map(
      (mailbox) => `${mailbox}@${domain}`,
    );

  it.each([
    ["example.com", ["example.com"]],
    ["shop.example.com", ["shop.example.com", "example.com"]],
    ["*.shop.example.com", ["shop.example.com", "example.com"]],
    ["a.b.example.co.uk", ["a.b.example.co.uk", "b.example.co.uk", "example.co.uk"]],
    ["Shop.Example.com", ["shop.example.com", "example.com"]],
    ["foo.github.io", ["foo.github.io"]],
    ["www.xn--bcher-kva.de", ["www.xn--bcher-kva.de", "xn--bcher-kva.de"]],
    ["*.Bücher.de", ["xn--bcher-kva.de"]],
  ])("%s → the mailboxes at %j, most specific first", (name, domains) => {
    expect(approverEmails(name)).toEqual(domains.flatMap(mailboxesAt));
  });
});

describe("normalizeApproverEmail", () => {
  it.each([
    [" Admin@Example.COM ", "admin@example.com"],
    ["admin@bücher.de", "admin@xn--bcher-kva.de"],
    ["not-an-address", "not-an-address"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeApproverEmail(input)).toBe(expected);
  });
});

describe("checkValidationMethod: wildcards", () => {
  const wildcard = domainNames("example.com", "*.example.com");

  it.each([
    ["dns-txt", []],
    ["dns-cname", []],
    ["http-file", ["WILDCARD_NEEDS_DNS"]],
  ] as const)("%s for a wildcard → %j", (method, expected) => {
    expect(codes(wildcard, method).problems).toEqual(expected);
  });

  it("names the wildcard and its position", () => {
    const result = checkValidationMethod(wildcard, "http-file", {
      validationDate: BEFORE_DEPRECATION,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.field).toBe("domains[1]");
    expect(result.problems[0]?.message).toContain("*.example.com");
  });

  it("needs DNS for a wildcard under email too", () => {
    expect(codes(wildcard, "email", { approverEmail: "admin@example.com" }).problems).toContain(
      "WILDCARD_NEEDS_DNS",
    );
  });
});

describe("checkValidationMethod: email", () => {
  const shop = domainNames("shop.example.com", "www.shop.example.com", "example.com");

  it.each([
    ["admin@example.com", []],
    ["Hostmaster@EXAMPLE.com", []],
    ["postmaster@shop.example.com", ["APPROVER_NOT_ALLOWED"]],
    ["info@example.com", ["APPROVER_NOT_ALLOWED"]],
    ["admin@other.com", ["APPROVER_NOT_ALLOWED"]],
    ["admin@com", ["APPROVER_NOT_ALLOWED"]],
    ["", ["APPROVER_REQUIRED"]],
    ["   ", ["APPROVER_REQUIRED"]],
  ])("approver %j → %j", (approverEmail, expected) => {
    expect(codes(shop, "email", { approverEmail }).problems).toEqual(expected);
  });

  it("requires an approver", () => {
    expect(codes(shop, "email").problems).toEqual(["APPROVER_REQUIRED"]);
  });

  it("accepts a subdomain approver when every name is under it", () => {
    const names = domainNames("shop.example.com", "www.shop.example.com");
    expect(codes(names, "email", { approverEmail: "webmaster@shop.example.com" }).problems).toEqual(
      [],
    );
  });

  it("accepts an approver given with a Unicode domain", () => {
    const names = domainNames("bücher.de", "www.bücher.de");
    expect(codes(names, "email", { approverEmail: "admin@bücher.de" }).problems).toEqual([]);
  });

  it("lists the addresses that would work when the approver does not", () => {
    const result = checkValidationMethod(shop, "email", {
      validationDate: BEFORE_DEPRECATION,
      approverEmail: "admin@shop.example.com",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.field).toBe("validation.approverEmail");
    expect(result.problems[0]?.message).toContain("example.com");
    expect(result.problems[0]?.message).toContain("admin@example.com");
    expect(result.problems[0]?.message).not.toContain("admin@shop.example.com,");
  });

  it("tells the customer to use DNS or a file when the names span registered domains", () => {
    const names = domainNames("example.com", "example.org");
    const result = checkValidationMethod(names, "email", {
      validationDate: BEFORE_DEPRECATION,
      approverEmail: "admin@example.com",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.code)).toEqual(["APPROVER_NOT_ALLOWED"]);
    expect(result.problems[0]?.message).toContain("example.com, example.org");
    expect(result.problems[0]?.message).toMatch(/dns-txt, dns-cname or http-file/);
  });

  it.each(["http-file", "dns-txt", "dns-cname"] as const)(
    "refuses an approver with %s",
    (method) => {
      expect(codes(shop, method, { approverEmail: "admin@example.com" }).problems).toEqual([
        "APPROVER_UNEXPECTED",
      ]);
    },
  );

  it.each([
    [BEFORE_DEPRECATION, [], []],
    [DEPRECATED, [], ["EMAIL_VALIDATION_DEPRECATED"]],
    [LAST_EMAIL_MOMENT, [], ["EMAIL_VALIDATION_DEPRECATED"]],
    [RETIRED, ["EMAIL_VALIDATION_RETIRED"], []],
    [new Date("2030-01-01T00:00:00Z"), ["EMAIL_VALIDATION_RETIRED"], []],
  ])("validated at %s → problems %j, warnings %j", (validationDate, problems, warnings) => {
    expect(codes(shop, "email", { validationDate, approverEmail: "admin@example.com" })).toEqual({
      problems,
      warnings,
    });
  });

  it.each(["http-file", "dns-txt", "dns-cname"] as const)(
    "never warns about %s, whatever the date",
    (method) => {
      expect(codes(shop, method, { validationDate: RETIRED })).toEqual({
        problems: [],
        warnings: [],
      });
    },
  );

  it("collects retirement, approver and wildcard problems together", () => {
    const names = domainNames("*.example.com");
    expect(codes(names, "email", { validationDate: RETIRED }).problems).toEqual([
      "WILDCARD_NEEDS_DNS",
      "EMAIL_VALIDATION_RETIRED",
      "APPROVER_REQUIRED",
    ]);
  });
});

describe("checkValidationMethod: one approver per name (approverEmails)", () => {
  const spread = domainNames("shop.example.com", "www.other.org");
  const check = (approverEmails: Record<string, string>, approverEmail?: string) =>
    checkValidationMethod(spread, "email", {
      validationDate: BEFORE_DEPRECATION,
      approverEmails,
      ...(approverEmail === undefined ? {} : { approverEmail }),
    });

  it("gives each name its own approver, by ASCII name", () => {
    const result = check({
      "shop.example.com": "admin@example.com",
      "WWW.other.org": "Hostmaster@other.org",
    });
    expect(result.ok && result.value.approvers).toEqual({
      "shop.example.com": "admin@example.com",
      "www.other.org": "hostmaster@other.org",
    });
  });

  it("tells a single approver for names of several registered domains to use approverEmails", () => {
    const result = checkValidationMethod(spread, "email", {
      validationDate: BEFORE_DEPRECATION,
      approverEmail: "admin@example.com",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain("validation.approverEmails");
  });

  it.each([
    [{ "shop.example.com": "admin@example.com" }, ["APPROVER_MISSING"]],
    [
      { "shop.example.com": "admin@example.com", "www.other.org": "admin@example.com" },
      ["APPROVER_NOT_ALLOWED"],
    ],
    [
      {
        "shop.example.com": "admin@example.com",
        "www.other.org": "admin@other.org",
        "mail.other.org": "admin@other.org",
      },
      ["APPROVER_FOR_UNKNOWN_NAME"],
    ],
  ])("refuses %j with %j", (approvers, expected) => {
    const result = check(approvers);
    expect(result.ok ? [] : result.problems.map((problem) => problem.code)).toEqual(expected);
  });

  it("names the allowed addresses of a name whose approver is refused", () => {
    const result = check({
      "shop.example.com": "info@example.com",
      "www.other.org": "admin@other.org",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain("admin@shop.example.com");
  });

  it("refuses approverEmail and approverEmails together", () => {
    const result = check({ "shop.example.com": "admin@example.com" }, "admin@example.com");
    expect(result.ok ? [] : result.problems.map((problem) => problem.code)).toEqual([
      "APPROVERS_BOTH",
    ]);
  });

  it("refuses approverEmails with another method", () => {
    const result = checkValidationMethod(spread, "dns-txt", {
      validationDate: BEFORE_DEPRECATION,
      approverEmails: { "shop.example.com": "admin@example.com" },
    });
    expect(result.ok ? [] : result.problems.map((problem) => problem.code)).toEqual([
      "APPROVER_UNEXPECTED",
    ]);
  });
});
