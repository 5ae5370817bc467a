import * as z from "zod/mini";
import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";
import { classifyTransient } from "./transient-errors.ts";

/**
 * One state-machine step: the Task state of statemachines/order.asl.json it serves (whose
 * function is `${<state>FunctionArn}`), what it accepts, what it needs, and what it does.
 * Its Lambda function, IAM grants and local wiring are all derived from this.
 */
export interface StepDeclaration {
  readonly kind: "step";
  readonly state: string;
  /** Any zod schema (zod/mini's or zod's chained API). */
  readonly input: z.core.$ZodType;
  readonly needs: Needs;
  /**
   * The step, run with the dependencies its needs name from `source`: parses the raw input, and
   * turns storage/network hiccups into the retryable name the state machine retries.
   */
  bind(source: DependencySource): (rawInput: unknown) => Promise<unknown>;
}

export class InvalidStepInput extends Error {
  override readonly name = "InvalidStepInput";
}

/**
 * Declares the step serving a Task state: what it accepts and needs, then what it does (whose
 * dependencies hold exactly what `needs` names).
 */
export function declareStep<const N extends Needs, Input, Output>(
  state: string,
  contract: { readonly input: z.core.$ZodType<Input>; readonly needs: N },
  run: (deps: DependenciesFor<N>, input: Input) => Promise<Output>,
): StepDeclaration {
  return {
    kind: "step",
    state,
    input: contract.input,
    needs: contract.needs,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return async (rawInput) => {
        const parsed = z.safeParse(contract.input, rawInput);
        if (!parsed.success) {
          throw new InvalidStepInput(`${state}: ${z.prettifyError(parsed.error)}`);
        }
        try {
          return await run(deps, parsed.data);
        } catch (error) {
          throw classifyTransient(error);
        }
      };
    },
  };
}
