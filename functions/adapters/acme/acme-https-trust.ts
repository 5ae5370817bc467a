// Not ESM imports of node:https or node:tls: see functions/adapters/dcv/http-fetch.ts.
import type { Agent as HttpsAgent } from "node:https";

const { Agent } = process.getBuiltinModule("node:https");
const { rootCertificates } = process.getBuiltinModule("node:tls");

/**
 * The HTTPS agent an ACME adapter talks to its CA through: the system roots and, when given,
 * extra roots (Pebble's locally), kept per adapter rather than process-wide
 * (NODE_EXTRA_CA_CERTS would be read once, at process start, for everything).
 */
export function httpsAgentTrusting(extraTrustedCaPem: string | undefined): HttpsAgent | undefined {
  if (extraTrustedCaPem === undefined) return undefined;
  return new Agent({ keepAlive: true, ca: [...rootCertificates, extraTrustedCaPem] });
}
