import { describe, expect, it } from "vitest";
import { deadlineFrom, nextCheckDelay, plannedWaits } from "../../../functions/domain/backoff.ts";

const startedAt = new Date("2026-05-01T00:00:00Z");
const DAY = 86_400;

function later(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

/** Runs the state machine's loop: check, ask for the next delay, wait, check again. */
function runLoop(input: {
  timeoutSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  checkSeconds?: number;
}) {
  const deadline = deadlineFrom(startedAt, input.timeoutSeconds);
  const checks: { startedAt: Date; endedAt: Date }[] = [];
  let now = startedAt;
  for (let attempt = 0; attempt < 1_000_000; attempt += 1) {
    const next = nextCheckDelay({ ...input, attempt, startedAt, deadline, now });
    if (next.kind === "deadline-passed") return { deadline, checks, terminated: true };
    now = later(now, next.waitSeconds);
    const checkStart = now;
    now = later(now, input.checkSeconds ?? 0);
    checks.push({ startedAt: checkStart, endedAt: now });
  }
  return { deadline, checks, terminated: false };
}

describe("deadlineFrom", () => {
  it("adds the timeout in seconds", () => {
    expect(deadlineFrom(startedAt, DAY).toISOString()).toBe("2026-05-02T00:00:00.000Z");
    expect(deadlineFrom(startedAt, 0).toISOString()).toBe(startedAt.toISOString());
  });
});

describe("nextCheckDelay", () => {
  const deadline = deadlineFrom(startedAt, DAY);
  const base = { startedAt, deadline, minSeconds: 30, maxSeconds: 3600 };

  it.each([
    [0, 0, 0],
    [1, 0, 30],
    [2, 30, 60],
    [3, 90, 120],
    [7, 1890, 1920],
    [8, 3810, 3600],
    [60, 40_000, 3600],
    [2000, 40_000, 3600],
  ])("after %i checks, at +%i s: wait %i s", (attempt, elapsed, waitSeconds) => {
    expect(nextCheckDelay({ ...base, attempt, now: later(startedAt, elapsed) })).toEqual({
      kind: "check",
      waitSeconds,
    });
  });

  it("checks at once the first time, even after the deadline", () => {
    expect(nextCheckDelay({ ...base, attempt: 0, now: later(deadline, 10) })).toEqual({
      kind: "check",
      waitSeconds: 0,
    });
  });

  it.each([
    [DAY - 100, 100],
    [DAY - 1, 1],
    [DAY - 0.2, 1],
    [DAY - 3599.5, 3600],
  ])("never waits past the deadline (at +%s s: %i s)", (elapsed, waitSeconds) => {
    expect(nextCheckDelay({ ...base, attempt: 40, now: later(startedAt, elapsed) })).toEqual({
      kind: "check",
      waitSeconds,
    });
  });

  it.each([0, 0.5, 3600])("answers deadline-passed once a check ran %s s after it", (late) => {
    expect(nextCheckDelay({ ...base, attempt: 31, now: later(deadline, late) })).toEqual({
      kind: "deadline-passed",
    });
  });

  it.each([
    ["min 0", { minSeconds: 0, maxSeconds: 0 }, 1],
    ["negative min", { minSeconds: -5, maxSeconds: 10 }, 1],
    ["max below min", { minSeconds: 30, maxSeconds: 10 }, 30],
    ["fractional min", { minSeconds: 0.3, maxSeconds: 10 }, 1],
    ["NaN bounds", { minSeconds: Number.NaN, maxSeconds: Number.NaN }, 1],
  ])("waits at least one whole second with %s", (_label, bounds, waitSeconds) => {
    expect(nextCheckDelay({ ...base, ...bounds, attempt: 1, now: later(startedAt, 5) })).toEqual({
      kind: "check",
      waitSeconds,
    });
  });

  it("treats an invalid deadline as passed", () => {
    expect(
      nextCheckDelay({ ...base, deadline: new Date(Number.NaN), attempt: 1, now: startedAt }),
    ).toEqual({ kind: "deadline-passed" });
  });
});

describe("the schedule for min 30 s, max 3600 s over 24 h", () => {
  const waits = plannedWaits({
    startedAt,
    deadline: deadlineFrom(startedAt, DAY),
    minSeconds: 30,
    maxSeconds: 3600,
  });

  it("doubles from 30 s to the one-hour cap, then ends exactly at the deadline", () => {
    expect(waits).toEqual([
      0,
      30,
      60,
      120,
      240,
      480,
      960,
      1920,
      ...Array<number>(22).fill(3600),
      3390,
    ]);
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBe(DAY);
  });

  it("matches the loop run step by step", () => {
    const run = runLoop({ timeoutSeconds: DAY, minSeconds: 30, maxSeconds: 3600 });
    expect(run.checks).toHaveLength(waits.length);
    expect(run.checks.at(-1)?.startedAt.toISOString()).toBe("2026-05-02T00:00:00.000Z");
  });
});

describe("termination", () => {
  /** Deterministic pseudo-random numbers, so a failure can be replayed. */
  function* numbers(seed: number) {
    let state = seed;
    for (;;) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      yield state / 2 ** 31;
    }
  }
  const random = numbers(20_260_501);
  const draw = () => random.next().value ?? 0;
  const cases = Array.from({ length: 200 }, () => ({
    timeoutSeconds: Math.floor(draw() * 3 * DAY) + (draw() < 0.5 ? draw() : 0),
    minSeconds: Math.floor(draw() * 120),
    maxSeconds: Math.floor(draw() * 7200),
    checkSeconds: draw() < 0.5 ? 0 : draw() * 40,
  }));

  it.each(cases)("ends with a check at the deadline: %j", (input) => {
    const run = runLoop(input);
    expect(run.terminated).toBe(true);
    const last = run.checks.at(-1);
    if (last === undefined) throw new Error("no check ran");
    expect(last.endedAt >= run.deadline).toBe(true);
    const startedLate = run.checks.filter((check) => check.startedAt >= run.deadline);
    expect(startedLate.length).toBeLessThanOrEqual(1);
    expect(run.checks.length).toBeLessThanOrEqual(1 + Math.ceil(input.timeoutSeconds));
    if (input.checkSeconds === 0) {
      const overshoot = (last.startedAt.getTime() - run.deadline.getTime()) / 1000;
      expect(overshoot).toBeGreaterThanOrEqual(0);
      expect(overshoot).toBeLessThan(1);
    }
  });

  it.each([
    ["a deadline at the start", 0, 1],
    ["a deadline before the start", -60, 1],
    ["a one-second timeout", 1, 2],
    ["a timeout shorter than min", 10, 2],
  ])("copes with %s", (_label, timeoutSeconds, checks) => {
    const run = runLoop({ timeoutSeconds, minSeconds: 30, maxSeconds: 3600 });
    expect(run.terminated).toBe(true);
    expect(run.checks).toHaveLength(checks);
  });
});
