import type { CheckOutcome, DcvChecker, Publication } from "../../ports/dcv-checker.ts";
import { checkWithAuthoritativeView, DNS_PORT } from "./authoritative-view.ts";
import { createCaaLookup } from "./caa-lookup.ts";
import { checkDnsCname, checkDnsTxt } from "./dns-check.ts";
import { createDnsLookup } from "./dns-lookup.ts";
import { checkHttpFile } from "./http-file-check.ts";

export interface NetworkDcvCheckerOptions {
  /** DNS server as "host:port" (e.g. "127.0.0.1:8053"); the system resolver when absent. */
  readonly resolver?: string;
  /** Port the HTTP check connects to, whatever the URL says; the URL's port (or 80) when absent. */
  readonly httpPort?: number;
  /** Budget of one check, lookups and fetch included. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /**
   * Let the HTTP check connect to loopback addresses (a developer's machine only). Private,
   * link-local, metadata and every other non-public address are refused whatever this says.
   */
  readonly allowLoopback?: boolean;
  /**
   * Port the zone's authoritative name servers are asked on (the propagation view of DNS
   * checks); 53 when absent. Only local tests and demos, whose servers listen elsewhere, set it.
   */
  readonly authoritativePort?: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** Checks publications over the network: DNS through the configured resolver, HTTP on port 80 or the configured port. */
export function createNetworkDcvChecker(options: NetworkDcvCheckerOptions = {}): DcvChecker {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `DCV check timeout must be a positive number of milliseconds, got ${timeoutMs}`,
    );
  }
  const { httpPort } = options;
  if (
    httpPort !== undefined &&
    (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65_535)
  ) {
    throw new Error(`HTTP validation port must be 1-65535, got ${httpPort}`);
  }
  const authoritativePort = options.authoritativePort ?? DNS_PORT;
  if (!Number.isInteger(authoritativePort) || authoritativePort < 1 || authoritativePort > 65_535) {
    throw new Error(`Authoritative DNS port must be 1-65535, got ${authoritativePort}`);
  }
  const dns = createDnsLookup({ resolver: options.resolver, timeoutMs });
  const view = { dns, port: authoritativePort, timeoutMs };

  const caaLookup = createCaaLookup({ resolver: options.resolver, timeoutMs });

  return {
    caa: (name) => caaLookup.caa(name),
    check(publication: Publication): Promise<CheckOutcome> {
      switch (publication.kind) {
        case "dns-txt":
          return checkWithAuthoritativeView(checkDnsTxt, publication.host, publication.value, {
            ...view,
            what: "TXT record",
            followAlias: true,
          });
        case "dns-cname":
          return checkWithAuthoritativeView(checkDnsCname, publication.host, publication.value, {
            ...view,
            what: "CNAME record",
          });
        case "http-file":
          return checkHttpFile(publication.url, publication.content, {
            dns,
            httpPort,
            timeoutMs,
            trailingWhitespaceAllowed: publication.trailingWhitespaceAllowed === true,
            allowLoopback: options.allowLoopback === true,
          });
      }
    },
  };
}
