import { describe, expect, it } from "vitest";
import {
  compareFileContent,
  listFound,
  quoteFound,
  sameDnsName,
} from "../../../../functions/adapters/dcv/value-comparison.ts";

describe("compareFileContent", () => {
  it.each([
    ["token", "token", "equal"],
    ["token\n", "token", "trailing-whitespace"],
    ["token\r\n", "token", "trailing-whitespace"],
    ["token \t\n\n", "token", "trailing-whitespace"],
    ["token  ", "token", "trailing-whitespace"],
    ["line1\nline2\n", "line1\nline2", "trailing-whitespace"],
    [" token", "token", "different"],
    ["\ntoken", "token", "different"],
    ["token\nmore", "token", "different"],
    ["Token", "token", "different"],
    ["toke", "token", "different"],
    ["", "token", "different"],
  ] as const)("%j against %j is %s", (found, expected, match) => {
    expect(compareFileContent(found, expected)).toBe(match);
  });
});

describe("sameDnsName", () => {
  it.each([
    ["a1.dcv.certflow.internal", "a1.dcv.certflow.internal", true],
    ["A1.DCV.certflow.internal.", "a1.dcv.certflow.internal", true],
    ["a1.dcv.certflow.internal", "a1.dcv.certflow.internal.", true],
    ["a1.dcv.certflow.internal", "a2.dcv.certflow.internal", false],
    ["a1.dcv.certflow.internal.x", "a1.dcv.certflow.internal", false],
  ])("%s vs %s → %s", (a, b, same) => {
    expect(sameDnsName(a, b)).toBe(same);
  });
});

describe("quoteFound", () => {
  it("quotes and escapes control characters", () => {
    expect(quoteFound('a\tb\r\n"c"\u0000')).toBe('"a\\tb\\r\\n\\"c\\"\\u0000"');
  });

  it("cuts at the limit and marks the cut", () => {
    expect(quoteFound("x".repeat(81))).toBe(`"${"x".repeat(80)}"…`);
    expect(quoteFound("x".repeat(80))).toBe(`"${"x".repeat(80)}"`);
  });

  it("never cuts inside a character", () => {
    expect(quoteFound("😀😀😀", 2)).toBe('"😀😀"…');
  });
});

describe("listFound", () => {
  it("shows up to three values, then how many more", () => {
    expect(listFound(["a"])).toBe('"a"');
    expect(listFound(["a", "b", "c"])).toBe('"a", "b", "c"');
    expect(listFound(["a", "b", "c", "d", "e"])).toBe('"a", "b", "c" and 2 more');
  });
});
