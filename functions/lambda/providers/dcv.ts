import type { DcvChecker } from "../../ports/dcv-checker.ts";

/**
 * On Lambda the checks use the VPC-less resolver AWS provides, and HTTP on port 80, to public
 * addresses only: never loopback, private, link-local or the metadata service.
 *
 * The checker (with node:dns, node:net and the HTTP client) loads with the first check: the
 * embedded CA's functions are built with it but only `AskCaToValidate` checks.
 */
export function dcv(): DcvChecker {
  let checker: Promise<DcvChecker> | undefined;
  const loaded = () => {
    checker ??= import("../../adapters/dcv/network-dcv-checker.ts").then(
      ({ createNetworkDcvChecker }) => createNetworkDcvChecker({ allowLoopback: false }),
    );
    return checker;
  };
  return {
    check: async (publication) => (await loaded()).check(publication),
    caa: async (name) => {
      const network = await loaded();
      if (network.caa === undefined) throw new Error("The network DCV checker looks up CAA.");
      return network.caa(name);
    },
  };
}
