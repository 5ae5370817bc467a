import type { Wiring } from "./aws-environment.ts";

export class NotWired extends Error {
  override readonly name = "NotWired";
}

/**
 * Stands in for a resource this function was not given (and has no permissions for). Any use
 * fails with the function and resource named, instead of an access error from AWS.
 */
export function notWired<T extends object>(resource: Wiring, functionName: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      // Lets the stand-in be awaited, inspected and logged without tripping.
      if (typeof property === "symbol" || property === "then" || property === "toJSON") {
        return undefined;
      }
      throw new NotWired(
        `Function ${functionName} is not given the ${resource} (it used .${property}): declare it in infra/cdk/function-catalog.ts.`,
      );
    },
  });
}
