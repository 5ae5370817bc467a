import type { Context } from "aws-lambda";
import type { DependenciesFor, Needs, Resources } from "../composition/needs.ts";
import type { StepDeclaration } from "../workflow/step-declaration.ts";
import { type AwsProviders, composeAws } from "./aws-host.ts";
import { createStepHandler } from "./step-handler.ts";
import { createStepMetrics } from "./step-metrics.ts";
import { reportingTransientAge } from "./transient-status-age.ts";

/**
 * The Lambda handler of a step's function. Dependencies are built while the function starts,
 * so the first order pays no extra latency; every order the step reads reports its age in a
 * transient status (the TransientStatusAgeSeconds metric).
 */
export function stepLambda<N extends Needs, Input, Output>(
  step: StepDeclaration<N, Input, Output>,
  providers: AwsProviders,
) {
  const composition = composeAws(providers);
  const metrics = createStepMetrics();
  const deps: DependenciesFor<N> = composition.dependenciesFor(step.needs);
  const { store } = deps as Partial<Resources>;
  const reporting =
    store === undefined
      ? deps
      : {
          ...deps,
          store: reportingTransientAge(store, {
            clock: deps.clock,
            settings: deps.settings,
            report: metrics.report,
          }),
        };
  const handle = createStepHandler(step, reporting);
  return async (event: unknown, context: Context): Promise<Output> => {
    try {
      return await handle(event, context);
    } finally {
      metrics.publish();
    }
  };
}
