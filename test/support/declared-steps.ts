import type { AllDependencies, DependencySource } from "../../functions/composition/needs.ts";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";

const { steps } = await loadServiceCatalog();
const byState = new Map(steps.map(({ declaration }) => [declaration.state, declaration]));

/**
 * What the workflow's steps may be given: everything, the engine that runs them only where a
 * step answers its own task token (a wait loop's step).
 */
export type StepDependencies = Omit<AllDependencies, "workflow"> &
  Partial<Pick<AllDependencies, "workflow">>;

/** Runs the step declared for a Task state, as the hosts do (input parsed, errors classified). */
export function runDeclaredStep(
  deps: StepDependencies,
  state: string,
  input: unknown,
): Promise<unknown> {
  const step = byState.get(state);
  if (step === undefined) throw new Error(`No step declares the Task state ${state}.`);
  return step.bind(everythingFrom(deps))(input);
}

/** A source handing every handler the one set of dependencies a test built (a superset). */
export function everythingFrom(deps: Partial<AllDependencies>): DependencySource {
  return { dependenciesFor: () => deps as never };
}
