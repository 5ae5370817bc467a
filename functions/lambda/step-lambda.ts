import type { Context } from "aws-lambda";
import type { DependencySource, Resources } from "../composition/needs.ts";
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
export function stepLambda(step: StepDeclaration, providers: AwsProviders) {
  const composition = composeAws(providers);
  const metrics = createStepMetrics();
  const reporting: DependencySource = {
    dependenciesFor(needs) {
      const deps = composition.dependenciesFor(needs);
      const { store } = deps as Partial<Resources>;
      if (store === undefined) return deps;
      const report = { clock: deps.clock, settings: deps.settings, report: metrics.report };
      return { ...deps, store: reportingTransientAge(store, report) };
    },
  };
  const handle = createStepHandler(step, reporting);
  return async (event: unknown, context: Context): Promise<unknown> => {
    try {
      return await handle(event, context);
    } finally {
      metrics.publish();
    }
  };
}
