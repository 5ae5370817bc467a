import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";

/** What a scheduled run is invoked with (by EventBridge Scheduler on AWS). */
export interface ScheduledEvent {
  readonly source: string;
  /** When the run was due (ISO 8601). */
  readonly scheduledTime: string;
}

/**
 * A handler the service runs on a schedule (the renewal run): its name, when it runs, what it
 * needs and what it does. Built into its own Lambda function and granted like steps and routes.
 * Declarations live in functions/schedules/runs/, one per file, exported as `schedule`.
 */
export interface ScheduleDeclaration {
  readonly kind: "schedule";
  /** Also the name of its Lambda function. */
  readonly name: string;
  readonly description: string;
  /** Hour of the day (UTC) of the daily run. */
  readonly hourUtc: number;
  readonly needs: Needs;
  /** The run, with the dependencies its needs name from `source`. */
  bind(source: DependencySource): (event: ScheduledEvent) => Promise<unknown>;
}

export function declareSchedule<const N extends Needs>(
  contract: Pick<ScheduleDeclaration, "name" | "description" | "hourUtc"> & { readonly needs: N },
  run: (deps: DependenciesFor<N>, event: ScheduledEvent) => Promise<unknown>,
): ScheduleDeclaration {
  return {
    kind: "schedule",
    ...contract,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return (event) => run(deps, event);
    },
  };
}
