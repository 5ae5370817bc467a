import { Agent } from "node:https";
import { rootCertificates } from "node:tls";

/**
 * The HTTPS agent an ACME adapter talks to its CA through: the system roots and, when given,
 * extra roots (Pebble's locally), kept per adapter rather than process-wide
 * (NODE_EXTRA_CA_CERTS would be read once, at process start, for everything).
 */
export function httpsAgentTrusting(extraTrustedCaPem: string | undefined): Agent | undefined {
  if (extraTrustedCaPem === undefined) return undefined;
  return new Agent({ keepAlive: true, ca: [...rootCertificates, extraTrustedCaPem] });
}
