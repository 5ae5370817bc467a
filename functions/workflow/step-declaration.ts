import * as z from "zod";
import type { DependenciesFor, Needs } from "../composition/needs.ts";
import { classifyTransient } from "./transient-errors.ts";

/**
 * One state-machine step: the Task state of statemachines/order.asl.json it serves (whose
 * function is `${<state>FunctionArn}`), what it accepts, what it needs, and what it does.
 * Its Lambda function, IAM grants and local wiring are all derived from this.
 */
export interface StepDeclaration<N extends Needs = Needs, Input = unknown, Output = unknown> {
  readonly kind: "step";
  readonly state: string;
  readonly input: z.ZodType<Input>;
  readonly needs: N;
  run(deps: DependenciesFor<N>, input: Input): Promise<Output>;
}

/**
 * Declares the step serving a Task state: what it accepts and needs, then what it does (whose
 * dependencies hold exactly what `needs` names).
 */
export function declareStep<const N extends Needs, Input, Output>(
  state: string,
  contract: { readonly input: z.ZodType<Input>; readonly needs: N },
  run: (deps: DependenciesFor<N>, input: Input) => Promise<Output>,
): StepDeclaration<N, Input, Output> {
  return { kind: "step", state, input: contract.input, needs: contract.needs, run };
}

export class InvalidStepInput extends Error {
  override readonly name = "InvalidStepInput";
}

/** Runs one step: parses its input, and turns storage/network hiccups into a retryable name. */
export async function runStep<N extends Needs, Input, Output>(
  step: StepDeclaration<N, Input, Output>,
  deps: DependenciesFor<N>,
  rawInput: unknown,
): Promise<Output> {
  const parsed = step.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new InvalidStepInput(`${step.state}: ${z.prettifyError(parsed.error)}`);
  }
  try {
    return await step.run(deps, parsed.data);
  } catch (error) {
    throw classifyTransient(error);
  }
}
