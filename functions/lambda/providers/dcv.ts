import { createNetworkDcvChecker } from "../../adapters/dcv/network-dcv-checker.ts";
import type { DcvChecker } from "../../ports/dcv-checker.ts";

/**
 * On Lambda the checks use the VPC-less resolver AWS provides, and HTTP on port 80, to public
 * addresses only: never loopback, private, link-local or the metadata service.
 */
export function dcv(): DcvChecker {
  return createNetworkDcvChecker({ allowLoopback: false });
}
