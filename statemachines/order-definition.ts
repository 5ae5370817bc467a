import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ORDER_DEFINITION_PATH = fileURLToPath(
  new URL("../../statemachines/order.asl.json", import.meta.url),
);

export interface TaskStateBinding {
  readonly stateName: string;
  /** The function the state invokes: `X` of its `${XFunctionArn}` placeholder. */
  readonly functionName: string;
  readonly waitsForCallback: boolean;
}

export function readOrderDefinition(): Record<string, unknown> {
  return JSON.parse(readFileSync(ORDER_DEFINITION_PATH, "utf8")) as Record<string, unknown>;
}

/** Which function each Task state calls, read from the definition's placeholders. */
export function taskStateBindings(definition: Record<string, unknown>): TaskStateBinding[] {
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  const bindings: TaskStateBinding[] = [];
  for (const [stateName, state] of Object.entries(states)) {
    if (state.Type !== "Task") continue;
    const resource = String(state.Resource ?? "");
    const waitsForCallback = resource.endsWith(".waitForTaskToken");
    const target = waitsForCallback
      ? String((state.Parameters as Record<string, unknown> | undefined)?.FunctionName ?? "")
      : resource;
    const functionName = /^\$\{(\w+)FunctionArn\}$/.exec(target)?.[1];
    if (functionName === undefined) {
      throw new Error(`Task state ${stateName} does not name a function placeholder (${target}).`);
    }
    bindings.push({ stateName, functionName, waitsForCallback });
  }
  return bindings;
}

/** The same pause for every retry of every state that has a Retry field (aws-local-stepfunctions). */
export function retryIntervalOverrides(
  definition: Record<string, unknown>,
  intervalMs: number,
): Record<string, number> {
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(states)
      .filter(([, state]) => Array.isArray(state.Retry) && state.Retry.length > 0)
      .map(([stateName]) => [stateName, intervalMs]),
  );
}
