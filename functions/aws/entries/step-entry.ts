import type { Context } from "aws-lambda";
import { createStepHandler } from "../../handlers/step-handler.ts";
import { composeAws } from "../aws-composition.ts";
import { loadStep } from "../step-loader.ts";
import { createStepMetrics } from "../step-metrics.ts";
import { reportingTransientAge } from "../transient-status-age.ts";

/**
 * The Lambda entry of every state-machine step on AWS; CERTFLOW_FUNCTION names the step.
 * Dependencies are built while the function starts, so the first order pays no extra latency.
 */
const composition = await composeAws();
const name = composition.functionName;
const run = await loadStep();
if (run === undefined) throw new Error(`${name} is not a workflow step.`);

const metrics = createStepMetrics();
const { workflow } = composition;
const step = createStepHandler(name, run, () => ({
  ...workflow,
  store: reportingTransientAge(workflow.store, {
    clock: workflow.clock,
    settings: workflow.settings,
    report: metrics.report,
  }),
}));

export async function handler(event: unknown, context: Context): Promise<unknown> {
  try {
    return await step(event, context);
  } finally {
    metrics.publish();
  }
}
