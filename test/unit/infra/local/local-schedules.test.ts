import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../../functions/composition/composition.ts";
import type { DependencySource } from "../../../../functions/composition/needs.ts";
import {
  declareSchedule,
  type ScheduledEvent,
} from "../../../../functions/schedules/schedule-declaration.ts";
import {
  type LocalSchedules,
  startLocalSchedules,
} from "../../../../infra/local/local-schedules.ts";

const source: DependencySource = { dependenciesFor: () => ({}) as never };
let running: LocalSchedules | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function counting(failFirst = 0) {
  const events: ScheduledEvent[] = [];
  let failures = 0;
  const schedule = declareSchedule(
    { name: "Counted", description: "counts", hourUtc: 1, runs: "always", needs: {} },
    async (_deps, event) => {
      if (failures < failFirst) {
        failures += 1;
        throw new Error("the vault answered 503");
      }
      events.push(event);
      return {};
    },
  );
  return { schedule, events };
}

describe("the local service's timer for scheduled runs", () => {
  it("runs each one every interval from the start, not at once", async () => {
    const { schedule, events } = counting();
    running = startLocalSchedules({
      schedules: [schedule],
      source,
      intervalMs: 40,
      clock: systemClock,
      log: () => undefined,
    });

    expect(events).toHaveLength(0);
    await sleep(150);

    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]?.source).toBe("local-timer");
    expect(Date.parse(events[0]?.scheduledTime ?? "")).not.toBeNaN();
  });

  it("tries a failed run again after the retry time, saying why it failed", async () => {
    const { schedule, events } = counting(1);
    const lines: string[] = [];
    running = startLocalSchedules({
      schedules: [schedule],
      source,
      intervalMs: 60,
      retryMs: 10,
      clock: systemClock,
      log: (line) => lines.push(line),
    });

    await sleep(100);

    expect(lines).toEqual([
      "scheduled run Counted failed (the vault answered 503); trying again in 0 s",
    ]);
    expect(events).toHaveLength(1);
  });

  it("runs nothing more once stopped", async () => {
    const { schedule, events } = counting();
    running = startLocalSchedules({
      schedules: [schedule],
      source,
      intervalMs: 20,
      clock: systemClock,
      log: () => undefined,
    });

    await running.stop();
    await sleep(60);

    expect(events).toHaveLength(0);
  });
});
