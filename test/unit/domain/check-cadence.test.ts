import { describe, expect, it } from "vitest";
import {
  type CheckCadence,
  DEFAULT_CHECK_CADENCE,
  nextCheck,
  plannedChecks,
  sameWait,
} from "../../../functions/domain/check-cadence.ts";

const startedAt = new Date("2027-01-10T08:00:00Z");
const HOUR = 3600;
const DAY = 24 * HOUR;

const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);
const deadline = at(DAY);

function waitAfterCheckAt(seconds: number, cadence: CheckCadence = DEFAULT_CHECK_CADENCE) {
  return nextCheck({ startedAt, deadline, now: at(seconds), cadence });
}

/** The longest a customer who published at `published` waits for a check to notice. */
function worstNotice(checks: number[], from: number, to: number): number {
  let worst = 0;
  for (let published = from; published < to; published += 60) {
    const noticed = checks.find((check) => check >= published);
    if (noticed !== undefined) worst = Math.max(worst, noticed - published);
  }
  return worst;
}

describe("nextCheck", () => {
  it("waits 15 minutes between checks during the first hour", () => {
    expect(waitAfterCheckAt(0)).toEqual({ kind: "check", waitSeconds: 900 });
    expect(waitAfterCheckAt(45 * 60)).toEqual({ kind: "check", waitSeconds: 900 });
  });

  it("after the first hour splits the time left into equal turns of at most 2 hours", () => {
    // 23 hours left: 12 turns of 115 minutes, the last ending at the deadline.
    expect(waitAfterCheckAt(HOUR)).toEqual({ kind: "check", waitSeconds: 115 * 60 });
    expect(waitAfterCheckAt(HOUR + 115 * 60)).toEqual({ kind: "check", waitSeconds: 115 * 60 });
    expect(waitAfterCheckAt(DAY - 115 * 60)).toEqual({ kind: "check", waitSeconds: 115 * 60 });
  });

  it("keeps the turn length when checks take time, so the loop's timeout stays the same", () => {
    expect(waitAfterCheckAt(HOUR + 115 * 60 + 0.4)).toEqual({
      kind: "check",
      waitSeconds: 115 * 60,
    });
  });

  it("never waits past the deadline, nor less than a minute", () => {
    const check = (deadlineAt: number, nowAt: number) =>
      nextCheck({
        startedAt,
        deadline: at(deadlineAt),
        now: at(nowAt),
        cadence: DEFAULT_CHECK_CADENCE,
      });
    expect(check(20 * 60, 15 * 60)).toEqual({ kind: "check", waitSeconds: 300 });
    expect(check(20 * 60, 20 * 60 - 10)).toEqual({ kind: "check", waitSeconds: 60 });
    expect(check(3 * HOUR, 3 * HOUR - 10)).toEqual({ kind: "check", waitSeconds: 60 });
  });

  it("stops once the deadline is reached: the check that just ran was the last", () => {
    expect(waitAfterCheckAt(DAY)).toEqual({ kind: "deadline-passed" });
    expect(waitAfterCheckAt(DAY + 1)).toEqual({ kind: "deadline-passed" });
  });

  it("waits whole seconds of at least 1, whatever the cadence says", () => {
    const odd: CheckCadence = {
      earlySeconds: 0.2,
      earlyPeriodSeconds: 10,
      lateSeconds: Number.NaN,
    };
    expect(waitAfterCheckAt(0, odd)).toEqual({ kind: "check", waitSeconds: 1 });
    expect(waitAfterCheckAt(20, odd)).toEqual({ kind: "check", waitSeconds: 1 });
    expect(nextCheck({ startedAt, deadline: at(10.3), now: at(10), cadence: odd })).toEqual({
      kind: "check",
      waitSeconds: 1,
    });
  });

  it("keeps long turns when their start drifts by seconds, and takes a new length otherwise", () => {
    expect(sameWait(6899, 6900)).toBe(true);
    expect(sameWait(6900 - 69, 6900)).toBe(true);
    expect(sameWait(6900 - 70, 6900)).toBe(false);
    expect(sameWait(6900, 900)).toBe(false);
    expect(sameWait(2, 1)).toBe(false);
    expect(sameWait(1, 1)).toBe(true);
  });

  it("keeps every later turn's length when each turn starts a second late", () => {
    // Turns start 1 s after the previous one's timeout (a cold start, say).
    let turnStart = HOUR;
    let current = 115 * 60;
    const lengths: number[] = [];
    for (;;) {
      const next = waitAfterCheckAt(turnStart);
      if (next.kind === "deadline-passed") break;
      if (!sameWait(next.waitSeconds, current)) current = next.waitSeconds;
      lengths.push(current);
      turnStart += current + 1;
    }
    expect(new Set(lengths)).toEqual(new Set([115 * 60]));
    expect(lengths).toHaveLength(12);
  });
});

describe("plannedChecks (nothing ever published, 24 h deadline)", () => {
  const checks = plannedChecks({ startedAt, deadline, cadence: DEFAULT_CHECK_CADENCE });

  it("checks at once, every 15 minutes until the hour, then 12 times until the deadline", () => {
    expect(checks.slice(0, 6)).toEqual([0, 900, 1800, 2700, 3600, 3600 + 6900]);
    expect(checks).toHaveLength(5 + 12);
    expect(checks.at(-1)).toBe(DAY);
  });

  it("notices a publication within 15 minutes in the first hour and 2 hours after", () => {
    expect(worstNotice(checks, 0, HOUR)).toBeLessThanOrEqual(15 * 60);
    expect(worstNotice(checks, HOUR, DAY)).toBeLessThanOrEqual(2 * HOUR);
  });

  it("follows a configured cadence too", () => {
    const quick = plannedChecks({
      startedAt,
      deadline: at(20),
      cadence: { earlySeconds: 1, earlyPeriodSeconds: 3, lateSeconds: 5 },
    });
    expect(quick).toEqual([0, 1, 2, 3, 8, 12, 16, 20]);
  });
});
