import { declareDeployTask } from "../deploy-task-declaration.ts";

/**
 * Creates the embedded CA's root and intermediate once (a conditional write, so concurrent
 * starts agree on one), publishes the root, and signs and publishes a fresh CRL (so
 * GET /v1/ca/crl answers from the first request on, and a local service started after days off
 * serves one that has not lapsed); an ACME CA has nothing to prepare.
 */
export const deployTask = declareDeployTask(
  {
    name: "PrepareCa",
    description: "creates the embedded CA's hierarchy once, publishes its root and its CRL",
    needs: { ca: true },
  },
  async (deps) => {
    const root = await deps.ca.rootCertificatePem();
    const crl = await deps.ca.refreshRevocationList?.();
    return {
      ca: deps.caProfile.kind,
      rootPublished: root !== undefined,
      crlPublished: crl !== undefined,
    };
  },
);
