import { describe, expect, it } from "vitest";
import { fixedClock } from "../../../functions/domain/clock.ts";

describe("fixedClock", () => {
  it("stays put until set or advanced", () => {
    const clock = fixedClock(new Date("2026-05-01T12:00:00Z"));
    expect(clock.now().toISOString()).toBe("2026-05-01T12:00:00.000Z");
    clock.advance(90);
    expect(clock.now().toISOString()).toBe("2026-05-01T12:01:30.000Z");
    clock.set(new Date("2027-01-01T00:00:00Z"));
    expect(clock.now().toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("hands out copies, so callers cannot move it", () => {
    const start = new Date("2026-05-01T12:00:00Z");
    const clock = fixedClock(start);
    clock.now().setUTCFullYear(2000);
    start.setUTCFullYear(2001);
    expect(clock.now().toISOString()).toBe("2026-05-01T12:00:00.000Z");
  });
});
