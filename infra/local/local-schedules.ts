import type { DependencySource } from "../../functions/composition/needs.ts";
import type { Clock } from "../../functions/domain/clock.ts";
import type { ScheduleDeclaration } from "../../functions/schedules/schedule-declaration.ts";

/** setTimeout takes at most 2^31 − 1 ms (24.8 days); a longer interval is cut to that. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface LocalSchedules {
  /** Stops the timers and waits for a run under way to end. */
  stop(): Promise<void>;
}

/**
 * The local service's timer for scheduled runs (on AWS, EventBridge Scheduler runs them daily):
 * each runs every `intervalMs` from the start, with the dependencies its needs name. A run that
 * fails is logged and tried again after `retryMs`, then keeps its interval. Timers never keep
 * the process alive on their own.
 */
export function startLocalSchedules(options: {
  readonly schedules: readonly ScheduleDeclaration[];
  readonly source: DependencySource;
  readonly intervalMs: number;
  readonly retryMs?: number;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}): LocalSchedules {
  const intervalMs = Math.min(options.intervalMs, LONGEST_TIMER_MS);
  const retryMs = Math.min(options.retryMs ?? 60_000, intervalMs);
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  for (const declaration of options.schedules) {
    const run = declaration.bind(options.source);
    const turn = async () => {
      const scheduledTime = options.clock.now().toISOString();
      try {
        await run({ source: "local-timer", scheduledTime });
        return intervalMs;
      } catch (error) {
        options.log(
          `scheduled run ${declaration.name} failed (${error instanceof Error ? error.message : String(error)}); trying again in ${Math.round(retryMs / 1000)} s`,
        );
        return retryMs;
      }
    };
    const plan = (delayMs: number) => {
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        const done = turn().then((next) => plan(next));
        running.add(done);
        void done.finally(() => running.delete(done));
      }, delayMs);
      timer.unref();
      timers.add(timer);
    };
    plan(intervalMs);
  }

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
