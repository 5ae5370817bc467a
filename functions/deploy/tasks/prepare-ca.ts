import { declareDeployTask } from "../deploy-task-declaration.ts";

/**
 * Creates the embedded CA's root and intermediate once (a conditional write, so concurrent
 * starts agree on one) and publishes the root; an ACME CA has nothing to prepare.
 */
export const deployTask = declareDeployTask(
  {
    name: "PrepareCa",
    description: "creates the embedded CA's hierarchy once and publishes its root",
    needs: { ca: true },
  },
  async (deps) => {
    const root = await deps.ca.rootCertificatePem();
    return { ca: deps.caProfile.kind, rootPublished: root !== undefined };
  },
);
