import { describe, expect, it } from "vitest";
import {
  type Problem,
  type Result,
  RuleViolation,
  summarizeProblems,
  valueOrThrow,
} from "../../../functions/domain/problems.ts";

const nameProblem: Problem = {
  code: "SINGLE_LABEL",
  message: "The name 'foo' has no dot; public CAs only issue for fully-qualified domain names.",
  field: "domains[0]",
};
const countryProblem: Problem = {
  code: "COUNTRY_INVALID",
  message: "organization.country must be a two-letter ISO 3166 country code.",
  field: "organization.country",
};

describe("RuleViolation", () => {
  it("keeps every problem and the first problem's code", () => {
    const violation = new RuleViolation([nameProblem, countryProblem]);
    expect(violation).toBeInstanceOf(Error);
    expect(violation.name).toBe("RuleViolation");
    expect(violation.code).toBe("SINGLE_LABEL");
    expect(violation.problems).toEqual([nameProblem, countryProblem]);
    expect(violation.message).toBe(`${nameProblem.message} ${countryProblem.message}`);
  });

  it("still says something without problems", () => {
    const violation = new RuleViolation([]);
    expect(violation.code).toBeUndefined();
    expect(violation.message).toBe("The request breaks a rule.");
  });
});

describe("summarizeProblems and valueOrThrow", () => {
  it("joins the messages in order", () => {
    expect(summarizeProblems([countryProblem, nameProblem])).toBe(
      `${countryProblem.message} ${nameProblem.message}`,
    );
  });

  it("returns the value of a successful result", () => {
    const result: Result<number> = { ok: true, value: 42, warnings: [] };
    expect(valueOrThrow(result)).toBe(42);
  });

  it("throws the problems of a refused result", () => {
    const result: Result<number> = { ok: false, problems: [countryProblem] };
    expect(() => valueOrThrow(result)).toThrow(RuleViolation);
    expect(() => valueOrThrow(result)).toThrow(countryProblem.message);
  });
});
