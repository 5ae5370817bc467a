import type { DependenciesFor, DependencySource, Needs } from "../composition/needs.ts";

/**
 * Work the service does once per deployment, before it takes orders (on AWS a CDK trigger runs
 * it after the deploy that creates or changes its function; the local host runs it on every
 * start). It must be idempotent.
 * Declarations live in functions/deploy/tasks/, one per file, exported as `deployTask`.
 */
export interface DeployTaskDeclaration {
  readonly kind: "deployTask";
  /** Also the name of its Lambda function. */
  readonly name: string;
  readonly description: string;
  readonly needs: Needs;
  /** The task, with the dependencies its needs name from `source`. */
  bind(source: DependencySource): () => Promise<unknown>;
}

export function declareDeployTask<const N extends Needs>(
  contract: Pick<DeployTaskDeclaration, "name" | "description"> & { readonly needs: N },
  run: (deps: DependenciesFor<N>) => Promise<unknown>,
): DeployTaskDeclaration {
  return {
    kind: "deployTask",
    ...contract,
    bind(source) {
      const deps = source.dependenciesFor(contract.needs);
      return () => run(deps);
    },
  };
}
