import type { DependenciesFor, Needs } from "../composition/needs.ts";

/** What a scheduled run is invoked with (EventBridge Scheduler on AWS, a timer locally). */
export interface ScheduledEvent {
  readonly source: string;
  /** When the run was due (ISO 8601). */
  readonly scheduledTime: string;
}

/**
 * A handler the service runs on a schedule (the renewal run): its name, when it runs, what it
 * needs and what it does. Built into its own Lambda function and granted like steps and routes.
 * Declarations live in functions/schedules/handlers/, one per file, exported as `schedule`.
 */
export interface ScheduleDeclaration<N extends Needs = Needs> {
  readonly kind: "schedule";
  /** Also the name of its Lambda function. */
  readonly name: string;
  readonly description: string;
  /** Hour of the day (UTC) of the daily run. */
  readonly hourUtc: number;
  readonly needs: N;
  run(deps: DependenciesFor<N>, event: ScheduledEvent): Promise<unknown>;
}

export function declareSchedule<const N extends Needs>(
  declaration: Omit<ScheduleDeclaration<N>, "kind">,
): ScheduleDeclaration<N> {
  return { kind: "schedule", ...declaration };
}
