import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";
import type { CaKind } from "../ports/certificate-authority.ts";

/** What a scheduled run is invoked with (by EventBridge Scheduler on AWS). */
export interface ScheduledEvent {
  readonly source: string;
  /** When the run was due (ISO 8601). */
  readonly scheduledTime: string;
  /** A part of the run an earlier invocation handed on (see ScheduleHost); none at the start. */
  readonly part?: Readonly<Record<string, unknown>>;
}

/**
 * What a host offers a run that spreads over workers. On AWS: the invocation's time left, and
 * the function invoked again (asynchronously) once per part. A host without it (the local
 * service) gives none, and the run does its parts itself.
 */
export interface ScheduleHost {
  timeLeftMs(): number;
  handOff(parts: readonly Readonly<Record<string, unknown>>[]): Promise<void>;
}

/**
 * A handler the service runs on a schedule (the renewal run, the CRL's refresh): its name, when
 * it runs, what it needs and what it does. Built into its own Lambda function and granted like
 * steps and routes. Declarations live in functions/schedules/runs/, one per file, exported as
 * `schedule`.
 */
export interface ScheduleDeclaration {
  readonly kind: "schedule";
  /** Also the name of its Lambda function. */
  readonly name: string;
  readonly description: string;
  /** Hour of the day (UTC) of the daily run. */
  readonly hourUtc: number;
  /**
   * Which deployments run it: `always` every one (the local service too, on a timer), or
   * `withRenewalSchedule` (the default) those that switch certflow:renewalSchedule on.
   */
  readonly runs?: "always" | "withRenewalSchedule";
  /** Only deployments whose CA is of this kind run it (the embedded CA's CRL); all when absent. */
  readonly caKind?: CaKind;
  readonly needs: Needs;
  /** The run, with the dependencies its needs name from `source`. */
  bind(source: DependencySource): (event: ScheduledEvent, host?: ScheduleHost) => Promise<unknown>;
}

export function declareSchedule<const N extends Needs>(
  contract: Pick<ScheduleDeclaration, "name" | "description" | "hourUtc" | "runs" | "caKind"> & {
    readonly needs: N;
  },
  run: (deps: DependenciesFor<N>, event: ScheduledEvent, host?: ScheduleHost) => Promise<unknown>,
): ScheduleDeclaration {
  return {
    kind: "schedule",
    ...contract,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return (event, host) => run(deps, event, host);
    },
  };
}

/** Whether a deployment with this CA (and the renewal schedule on or off) runs the schedule. */
export function isScheduledIn(
  schedule: Pick<ScheduleDeclaration, "runs" | "caKind">,
  deployment: { readonly ca: CaKind; readonly renewalSchedule: boolean },
): boolean {
  if (schedule.caKind !== undefined && schedule.caKind !== deployment.ca) return false;
  return (schedule.runs ?? "withRenewalSchedule") === "always" || deployment.renewalSchedule;
}
