import { describe, expect, it } from "vitest";
import {
  compareFileContent,
  describeDifference,
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

describe("describeDifference", () => {
  it.each([
    ["", "abc", "the file is empty, and must hold the 3 characters given in the instructions"],
    [
      "abX",
      "abc",
      "it has 3 characters where 3 characters are expected; it first differs at character 3 (line 1, column 3)",
    ],
    [
      "ab",
      "abc",
      "it has 2 characters where 3 characters are expected; it ends at character 3 (line 1, column 3), before the expected content does",
    ],
    [
      "abcd",
      "abc",
      "it has 4 characters where 3 characters are expected; it has the expected content followed by more, from character 4 (line 1, column 4)",
    ],
    [
      "a\nbé",
      "a\nbc",
      "it has 4 characters where 4 characters are expected; it first differs at character 4 (line 2, column 2)",
    ],
  ])("describes %j against %j without quoting it", (found, expected, description) => {
    // Act
    const described = describeDifference(found, expected);

    // Assess
    expect(described).toBe(description);
  });

  it("says a cut-off file is more than 64 KiB long", () => {
    // Act
    const described = describeDifference("z".repeat(10), "abc", true);

    // Assess
    expect(described).toMatch(/^it is more than 64 KiB long where 3 characters are expected/);
  });
});
