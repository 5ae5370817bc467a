import { z } from "zod";
import { STEP_INPUTS, type StepInput, type WorkflowStepName } from "./step-inputs.ts";
import { classifyTransient } from "./transient-errors.ts";
import type { WorkflowDependencies } from "./workflow-dependencies.ts";

export class InvalidStepInput extends Error {
  override readonly name = "InvalidStepInput";
}

export type StepFunction<Name extends WorkflowStepName> = (
  deps: WorkflowDependencies,
  input: StepInput<Name>,
) => Promise<unknown>;

/** Runs one step: parses its input, and turns storage/network hiccups into a retryable name. */
export async function runStep<Name extends WorkflowStepName>(
  name: Name,
  run: StepFunction<Name>,
  deps: WorkflowDependencies,
  rawInput: unknown,
): Promise<unknown> {
  const parsed = (STEP_INPUTS[name] as unknown as z.ZodType<StepInput<Name>>).safeParse(rawInput);
  if (!parsed.success) {
    throw new InvalidStepInput(`${name}: ${z.prettifyError(parsed.error)}`);
  }
  try {
    return await run(deps, parsed.data);
  } catch (error) {
    throw classifyTransient(error);
  }
}
