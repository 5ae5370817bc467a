import type { CertificateFacts, InstallationFinding } from "../domain/installation-check.ts";

/** Why nothing could be judged at a host: what stopped the connection before a certificate came. */
export type ObservationFailure = Extract<
  InstallationFinding,
  | "TLS_HANDSHAKE_FAILED"
  | "CONNECTION_REFUSED"
  | "TIMEOUT"
  | "ADDRESS_NOT_PUBLIC"
  | "NXDOMAIN"
  | "NO_RECORD"
  | "DNS_SERVFAIL"
>;

/** What one TLS connection to a host showed. */
export type TlsObservation =
  | {
      readonly ok: true;
      /** What the server sent, leaf first, as the certificates link. */
      readonly served: readonly CertificateFacts[];
    }
  | {
      readonly ok: false;
      readonly cause: ObservationFailure;
      /** Customer-readable; never the address the name resolved to. */
      readonly detail: string;
    };

/**
 * Connects to a host's TLS endpoint the way a browser does (its address through DNS, the host
 * as SNI) and reports the certificates it sends, trusting none of them: judging them is the
 * caller's. Only public addresses are connected to (loopback too where the host allows it, as
 * for the DCV checks). Network trouble is an observation, never an error.
 */
export interface InstallationChecker {
  observe(host: string, options: { readonly timeoutMs: number }): Promise<TlsObservation>;
}
