import { describe, expect, it } from "vitest";
import {
  commonNameOf,
  type DomainName,
  MAX_NAMES,
  normalizeDomainNames,
  toDisplayName,
} from "../../../functions/domain/domain-names.ts";
import type { ProblemCode } from "../../../functions/domain/problems.ts";
import { problemCodes, problemsWithFields } from "./result-problems.ts";

const label63 = "a".repeat(63);
/** 4 × 63 + 3 dots = 255 octets. */
const tooLongName = [label63, label63, label63, label63].join(".");
/** 3 × 63 + 61 + 3 dots = 253 octets, the most allowed. */
const longestName = `${[label63, label63, label63].join(".")}.${"b".repeat(57)}.com`;

function names(input: string[], issuer: "public" | "private" = "public", purchasedNames?: number) {
  return normalizeDomainNames(input, { issuer, purchasedNames });
}

function accepted(input: string[], issuer: "public" | "private" = "public"): DomainName[] {
  const result = names(input, issuer);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result.value;
}

function codesFor(input: string[], issuer: "public" | "private" = "public") {
  return problemCodes(names(input, issuer));
}

describe("normalizeDomainNames: normalization", () => {
  it.each([
    ["Example.COM", "example.com", "example.com", false, "example.com"],
    ["  www.example.com.  ", "www.example.com", "www.example.com", false, "www.example.com"],
    ["*.Example.com", "*.example.com", "*.example.com", true, "example.com"],
    ["Bücher.de", "xn--bcher-kva.de", "bücher.de", false, "xn--bcher-kva.de"],
    ["BÜCHER.de", "xn--bcher-kva.de", "bücher.de", false, "xn--bcher-kva.de"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de", "bücher.de", false, "xn--bcher-kva.de"],
    ["*.bücher.de", "*.xn--bcher-kva.de", "*.bücher.de", true, "xn--bcher-kva.de"],
    ["faß.de", "xn--fa-hia.de", "faß.de", false, "xn--fa-hia.de"],
    ["💩.la", "xn--ls8h.la", "💩.la", false, "xn--ls8h.la"],
    ["foo.github.io", "foo.github.io", "foo.github.io", false, "foo.github.io"],
    ["a.b.example.co.uk", "a.b.example.co.uk", "a.b.example.co.uk", false, "a.b.example.co.uk"],
    ["ab--c.example.com", "ab--c.example.com", "ab--c.example.com", false, "ab--c.example.com"],
    [`${label63}.com`, `${label63}.com`, `${label63}.com`, false, `${label63}.com`],
    [longestName, longestName, longestName, false, longestName],
  ])("accepts %j as %s (display %s)", (input, ascii, display, wildcard, base) => {
    expect(accepted([input])).toEqual([{ ascii, display, wildcard, base }]);
  });

  it("round-trips an IDN under a private CA (Bücher.example)", () => {
    const [name] = accepted(["Bücher.example"], "private");

    expect(name?.ascii).toBe("xn--bcher-kva.example");
    expect(name?.display).toBe("bücher.example");
    expect(toDisplayName("xn--bcher-kva.example")).toBe("bücher.example");
  });

  it("keeps the order; the first name is the common name", () => {
    const value = accepted(["www.example.com", "example.com", "api.example.com"]);

    expect(value.map((name) => name.ascii)).toEqual([
      "www.example.com",
      "example.com",
      "api.example.com",
    ]);
    expect(commonNameOf(value)?.ascii).toBe("www.example.com");
    expect(commonNameOf([])).toBeUndefined();
  });

  it("drops duplicates after normalization and warns about each", () => {
    const result = names([
      "Example.com",
      "www.example.com",
      "EXAMPLE.COM.",
      "bücher.de",
      "xn--bcher-kva.de",
    ]);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((name) => name.ascii)).toEqual([
      "example.com",
      "www.example.com",
      "xn--bcher-kva.de",
    ]);
    expect(result.warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ["DUPLICATE_NAME", "domains[2]"],
      ["DUPLICATE_NAME", "domains[4]"],
    ]);
    expect(result.warnings[0]?.message).toContain("EXAMPLE.COM.");
  });

  it("does not treat a wildcard and its base as duplicates", () => {
    expect(accepted(["*.example.com", "example.com"]).map((name) => name.ascii)).toEqual([
      "*.example.com",
      "example.com",
    ]);
  });
});

describe("normalizeDomainNames: refusals for any issuer", () => {
  const cases: Array<[string, ProblemCode]> = [
    ["", "NAME_EMPTY"],
    ["   ", "NAME_EMPTY"],
    [".", "NAME_EMPTY"],
    ["192.0.2.1", "IP_ADDRESS"],
    ["192.0.2.1.", "IP_ADDRESS"],
    ["2001:db8::1", "IP_ADDRESS"],
    ["[2001:db8::1]", "IP_ADDRESS"],
    ["::1", "IP_ADDRESS"],
    ["::ffff:192.0.2.1", "IP_ADDRESS"],
    ["[::ffff:192.0.2.1]", "IP_ADDRESS"],
    ["fe80::1%eth0", "IP_ADDRESS"],
    ["127.1", "IP_ADDRESS"],
    ["0x7f.1", "IP_ADDRESS"],
    ["１２７.０.０.１", "IP_ADDRESS"],
    ["*", "WILDCARD_POSITION"],
    ["*.", "WILDCARD_POSITION"],
    ["a.*.example.com", "WILDCARD_POSITION"],
    ["*a.example.com", "WILDCARD_POSITION"],
    ["**.example.com", "WILDCARD_POSITION"],
    ["*.*.example.com", "WILDCARD_POSITION"],
    ["example.*", "WILDCARD_POSITION"],
    ["exa_mple.com", "NAME_INVALID_CHARACTERS"],
    ["exa mple.com", "NAME_INVALID_CHARACTERS"],
    ["exa\tmple.com", "NAME_INVALID_CHARACTERS"],
    ["bü\tcher.de", "NAME_INVALID_CHARACTERS"],
    ["a\u0000b.com", "NAME_INVALID_CHARACTERS"],
    ["admin@example.com", "NAME_INVALID_CHARACTERS"],
    ["https://example.com", "NAME_INVALID_CHARACTERS"],
    ["a..example.com", "LABEL_EMPTY"],
    [".example.com", "LABEL_EMPTY"],
    ["example.com..", "LABEL_EMPTY"],
    ["-shop.example.com", "LABEL_HYPHEN"],
    ["shop-.example.com", "LABEL_HYPHEN"],
    [`${"a".repeat(64)}.com`, "LABEL_TOO_LONG"],
    [`${tooLongName}.com`, "NAME_TOO_LONG"],
    ["xn--zz.com", "IDN_INVALID"],
    ["xn--a.com", "IDN_INVALID"],
  ];

  it.each(cases)("refuses %j with %s, naming it", (input, code) => {
    for (const issuer of ["public", "private"] as const) {
      const result = names(["ok.example.com", input], issuer);

      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problems[0]?.code).toBe(code);
      expect(result.problems[0]?.field).toBe("domains[1]");
      const named = input.trim() === "" || input === "." ? "Name 2" : input.trim();
      expect(result.problems[0]?.message).toContain(named);
    }
  });
});

describe("normalizeDomainNames: public CA rules", () => {
  it.each([
    ["foo", "SINGLE_LABEL"],
    ["server1", "SINGLE_LABEL"],
    ["localhost", "RESERVED_NAME"],
    ["printer.local", "RESERVED_NAME"],
    ["app.internal", "RESERVED_NAME"],
    ["shop.example.test", "RESERVED_NAME"],
    ["www.example", "RESERVED_NAME"],
    ["never.invalid", "RESERVED_NAME"],
    ["nas.home.arpa", "RESERVED_NAME"],
    ["srv.corp", "RESERVED_NAME"],
    ["pc.lan", "RESERVED_NAME"],
    ["*.local", "RESERVED_NAME"],
    ["Bücher.example", "RESERVED_NAME"],
    ["shop.notatld", "UNKNOWN_TOP_LEVEL_DOMAIN"],
    ["com", "SINGLE_LABEL"],
    ["*.server1", "UNKNOWN_TOP_LEVEL_DOMAIN"],
    ["*.com", "PUBLIC_SUFFIX"],
    ["co.uk", "PUBLIC_SUFFIX"],
    ["*.co.uk", "PUBLIC_SUFFIX"],
    ["github.io", "PUBLIC_SUFFIX"],
    ["*.github.io", "PUBLIC_SUFFIX"],
    ["foo.ck", "PUBLIC_SUFFIX"],
  ] as const)("refuses %j with %s", (input, code) => {
    const result = names([input]);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.code).toBe(code);
    expect(result.problems[0]?.message).toContain(input);
    expect(result.problems[0]?.field).toBe("domains[0]");
  });

  it("words the single-label refusal for a customer", () => {
    const result = names(["foo"]);

    expect(result.ok ? undefined : result.problems[0]?.message).toBe(
      "The name 'foo' has no dot; public CAs only issue for fully-qualified domain names.",
    );
  });

  it.each(["foo", "printer.local", "shop.example.test", "*.corp", "shop.notatld"])(
    "lets a private CA issue for %j",
    (input) => {
      expect(accepted([input], "private")).toHaveLength(1);
    },
  );
});

describe("normalizeDomainNames: what the embedded (private) CA refuses too", () => {
  it.each([
    ["co.uk", "PUBLIC_SUFFIX"],
    ["*.co.uk", "PUBLIC_SUFFIX"],
    ["github.io", "PUBLIC_SUFFIX"],
    ["*.github.io", "PUBLIC_SUFFIX"],
    ["*.com", "PUBLIC_SUFFIX"],
    ["*.app", "PUBLIC_SUFFIX"],
    ["foo.ck", "PUBLIC_SUFFIX"],
    ["p\u0430ypal.com", "MIXED_SCRIPTS"],
    ["xn--pypal-4ve.com", "MIXED_SCRIPTS"],
    ["g\u03bf\u03bfgle.example", "MIXED_SCRIPTS"],
    ["shop.p\u0430ypal.internal", "MIXED_SCRIPTS"],
  ] as const)("refuses %j with %s, naming it", (input, code) => {
    // Act
    const result = names([input], "private");

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.code).toBe(code);
    expect(result.problems[0]?.message).toContain(input);
  });

  it("words the wildcard refusal for a customer", () => {
    // Act
    const result = names(["*.co.uk"], "private");

    // Assess
    expect(result.ok ? undefined : result.problems[0]?.message).toBe(
      "'*.co.uk' is a wildcard directly under a public suffix (like 'co.uk' or 'github.io'), which would cover names of many owners; order a name registered under it.",
    );
  });

  it.each(["p\u0430ypal.com", "xn--ggle-0nda.com"])(
    "refuses the mixed-script %j for a public CA too",
    (input) => {
      // Act
      const result = names([input], "public");

      // Assess
      expect(problemCodes(result)).toEqual(["MIXED_SCRIPTS"]);
    },
  );
});

describe("normalizeDomainNames: collecting every problem", () => {
  it("reports each bad name with its position and keeps going", () => {
    const result = names(["foo", "192.0.2.1", "ok.example.com", "a..b.com", "-x.com"]);

    expect(problemsWithFields(result)).toEqual([
      ["SINGLE_LABEL", "domains[0]"],
      ["IP_ADDRESS", "domains[1]"],
      ["LABEL_EMPTY", "domains[3]"],
      ["LABEL_HYPHEN", "domains[4]"],
    ]);
  });

  it("reports several label problems of one name", () => {
    expect(codesFor([`-a.${"b".repeat(64)}.com`])).toEqual(["LABEL_HYPHEN", "LABEL_TOO_LONG"]);
  });
});

describe("normalizeDomainNames: how many names", () => {
  const many = (count: number) => Array.from({ length: count }, (_, i) => `n${i}.example.com`);

  it("needs at least one name", () => {
    expect(codesFor([])).toEqual(["DOMAINS_EMPTY"]);
  });

  it(`takes up to ${MAX_NAMES} names`, () => {
    expect(accepted(many(100))).toHaveLength(100);
    expect(codesFor(many(101))).toEqual(["TOO_MANY_NAMES"]);
  });

  it("counts names after removing duplicates", () => {
    expect(accepted([...many(100), "n0.example.com"])).toHaveLength(100);
  });

  it.each([
    [5, many(5), []],
    [5, many(4), ["NAME_COUNT_MISMATCH"]],
    [5, many(6), ["NAME_COUNT_MISMATCH"]],
    [5, [...many(4), "N0.example.com"], ["NAME_COUNT_MISMATCH"]],
    [5, [...many(4), "foo"], ["SINGLE_LABEL"]],
    [1, many(1), []],
    [0, many(1), ["PURCHASED_NAMES_INVALID"]],
    [1.5, many(1), ["PURCHASED_NAMES_INVALID"]],
    [101, many(1), ["PURCHASED_NAMES_INVALID"]],
  ])("purchased %s, entered %j → %j", (purchased, input, codes) => {
    const result = names(input, "public", purchased);

    expect(problemCodes(result)).toEqual(codes);
  });

  it("tells the customer to enter all purchased names", () => {
    const result = names(many(4), "public", 5);

    expect(result.ok ? "" : result.problems[0]?.message).toContain("enter all 5");
  });
});

describe("toDisplayName", () => {
  it.each([
    ["xn--bcher-kva.de", "bücher.de"],
    ["*.xn--bcher-kva.de", "*.bücher.de"],
    ["www.example.com", "www.example.com"],
    ["xn--zz.com", "xn--zz.com"],
  ])("%s → %s", (ascii, display) => {
    expect(toDisplayName(ascii)).toBe(display);
  });
});
