import { describe, expect, it } from "vitest";
import {
  daysBetween,
  dnsValidationReuseDays,
  maxValidityDays,
  renewalTime,
  resolveValidityDays,
} from "../../../functions/domain/validity-policy.ts";

const at = (iso: string) => new Date(iso);

describe("maxValidityDays and dnsValidationReuseDays (ballot SC-081)", () => {
  it.each([
    ["2025-06-01T00:00:00Z", 398, 398],
    ["2026-03-14T23:59:59Z", 398, 398],
    ["2026-03-14T23:59:59.999Z", 398, 398],
    ["2026-03-15T00:00:00Z", 200, 200],
    ["2026-11-23T12:00:00Z", 200, 200],
    ["2027-03-14T23:59:59Z", 200, 200],
    ["2027-03-15T00:00:00Z", 100, 100],
    ["2029-03-14T23:59:59Z", 100, 100],
    ["2029-03-15T00:00:00Z", 47, 10],
    ["2035-01-01T00:00:00Z", 47, 10],
  ])("at %s: validity %i days, DNS reuse %i days", (iso, validity, reuse) => {
    expect(maxValidityDays(at(iso))).toBe(validity);
    expect(dnsValidationReuseDays(at(iso))).toBe(reuse);
  });

  it("switches at 00:00 UTC, not local midnight", () => {
    expect(maxValidityDays(at("2026-03-15T00:30:00+01:00"))).toBe(398);
    expect(maxValidityDays(at("2026-03-14T23:30:00-01:00"))).toBe(200);
  });
});

describe("resolveValidityDays", () => {
  const spring2026 = at("2026-05-01T00:00:00Z");

  it.each([
    [undefined, "2026-03-14T23:59:59Z", 398],
    [undefined, "2026-03-15T00:00:00Z", 200],
    [undefined, "2029-03-15T00:00:00Z", 47],
    [90, "2026-05-01T00:00:00Z", 90],
    [1, "2026-05-01T00:00:00Z", 1],
    [200, "2026-05-01T00:00:00Z", 200],
    [398, "2026-03-14T23:59:59Z", 398],
  ])("requested %s at %s → %i", (requested, iso, expected) => {
    expect(resolveValidityDays(requested, at(iso))).toEqual({
      ok: true,
      value: expected,
      warnings: [],
    });
  });

  it.each([
    [0, "VALIDITY_INVALID"],
    [-5, "VALIDITY_INVALID"],
    [90.5, "VALIDITY_INVALID"],
    [Number.NaN, "VALIDITY_INVALID"],
    [Number.POSITIVE_INFINITY, "VALIDITY_INVALID"],
    [201, "VALIDITY_TOO_LONG"],
    [398, "VALIDITY_TOO_LONG"],
  ])("refuses %s with %s", (requested, code) => {
    const result = resolveValidityDays(requested, spring2026);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => [problem.code, problem.field])).toEqual([
      [code, "validityDays"],
    ]);
  });

  it("names the maximum and the date rule when refusing a long validity", () => {
    const result = resolveValidityDays(201, spring2026);
    const message = result.ok ? "" : (result.problems[0]?.message ?? "");
    expect(message).toContain("at most 200 days");
    expect(message).toContain("SC-081");
    expect(message).toContain("from 2026-03-15");
    expect(message).toContain("2026-05-01");
  });

  it("names the rule before SC-081 too", () => {
    const result = resolveValidityDays(399, at("2026-01-10T00:00:00Z"));
    const message = result.ok ? "" : (result.problems[0]?.message ?? "");
    expect(message).toContain("at most 398 days");
    expect(message).toContain("before 2026-03-15");
  });
});

describe("renewalTime", () => {
  const notBefore = at("2026-04-01T00:00:00Z");
  const notAfter = at("2026-06-30T00:00:00Z"); // 90 days later

  it("renews after two thirds of the lifetime without a window", () => {
    expect(renewalTime({ notBefore, notAfter }).toISOString()).toBe("2026-05-31T00:00:00.000Z");
    expect(daysBetween(notBefore, renewalTime({ notBefore, notAfter }))).toBe(60);
  });

  const window = { start: at("2026-06-10T00:00:00Z"), end: at("2026-06-12T00:00:00Z") };

  it.each([
    [undefined, "2026-06-11T00:00:00.000Z"],
    [() => 0, "2026-06-10T00:00:00.000Z"],
    [() => 0.25, "2026-06-10T12:00:00.000Z"],
    [() => 0.999_999, "2026-06-11T23:59:59.827Z"],
    [() => 7, "2026-06-12T00:00:00.000Z"],
    [() => -1, "2026-06-10T00:00:00.000Z"],
    [() => Number.NaN, "2026-06-11T00:00:00.000Z"],
  ])("picks a point inside the suggested window (random %s) → %s", (random, expected) => {
    const renewAt = renewalTime({ notBefore, notAfter, suggestedWindow: window, random });
    expect(renewAt.toISOString()).toBe(expected);
    expect(renewAt >= window.start && renewAt <= window.end).toBe(true);
  });

  it.each([
    ["an inverted window", { start: window.end, end: window.start }, undefined],
    ["an empty window", { start: window.start, end: window.start }, undefined],
    ["an invalid date", { start: new Date(Number.NaN), end: window.end }, undefined],
    ["a window already over", window, at("2026-06-12T00:00:01Z")],
    ["a window ending now", window, window.end],
  ])("falls back to two thirds for %s", (_label, suggestedWindow, now) => {
    expect(renewalTime({ notBefore, notAfter, suggestedWindow, now }).toISOString()).toBe(
      "2026-05-31T00:00:00.000Z",
    );
  });

  it("uses a window that is still open at now", () => {
    const renewAt = renewalTime({
      notBefore,
      notAfter,
      suggestedWindow: window,
      now: at("2026-06-11T12:00:00Z"),
    });
    expect(renewAt.toISOString()).toBe("2026-06-11T00:00:00.000Z");
  });
});
