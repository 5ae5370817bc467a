import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The one definition of the order workflow: deployed by the CDK app, run by the local host. */
export const ORDER_DEFINITION_PATH = fileURLToPath(new URL("./order.asl.json", import.meta.url));

export type StateMachineDefinition = Record<string, unknown>;

export interface TaskStateBinding {
  /** The Task state, which is also the name of the step and of its function. */
  readonly stateName: string;
  readonly waitsForCallback: boolean;
}

export function readOrderDefinition(): StateMachineDefinition {
  return JSON.parse(readFileSync(ORDER_DEFINITION_PATH, "utf8")) as StateMachineDefinition;
}

function statesOf(definition: StateMachineDefinition) {
  return Object.entries((definition.States ?? {}) as Record<string, Record<string, unknown>>);
}

/** The placeholder a Task state's function is named by: `${<state>FunctionArn}`. */
export function functionPlaceholder(stateName: string): string {
  return `\${${stateName}FunctionArn}`;
}

/**
 * Every Task state, each of which must invoke the function named after it, so a step's state
 * name is all that ties it to the definition.
 */
export function taskStateBindings(definition: StateMachineDefinition): TaskStateBinding[] {
  const bindings: TaskStateBinding[] = [];
  for (const [stateName, state] of statesOf(definition)) {
    if (state.Type !== "Task") continue;
    const resource = String(state.Resource ?? "");
    const waitsForCallback = resource.endsWith(".waitForTaskToken");
    const target = waitsForCallback
      ? String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName ?? "")
      : resource;
    if (target !== functionPlaceholder(stateName)) {
      throw new Error(
        `Task state ${stateName} must invoke ${functionPlaceholder(stateName)}, not ${target}.`,
      );
    }
    bindings.push({ stateName, waitsForCallback });
  }
  return bindings;
}

/** Every `${Name}` placeholder of an ASL text, in order of first appearance. */
export function definitionPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] ?? ""))];
}

/** The same pause for every retry of every state that has a Retry field (aws-local-stepfunctions). */
export function retryIntervalOverrides(
  definition: StateMachineDefinition,
  intervalMs: number,
): Record<string, number> {
  return Object.fromEntries(
    statesOf(definition)
      .filter(([, state]) => Array.isArray(state.Retry) && state.Retry.length > 0)
      .map(([stateName]) => [stateName, intervalMs]),
  );
}
