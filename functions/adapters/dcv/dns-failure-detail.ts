import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import type { DnsLookupFailure } from "./dns-lookup.ts";

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * The failed outcome for a DNS lookup that found nothing usable.
 * `what` names what was looked up, e.g. "TXT record" or "A or AAAA record".
 */
export function dnsFailureOutcome(
  failure: DnsLookupFailure,
  what: string,
  name: string,
  timeoutMs: number,
): CheckOutcome & { ok: false } {
  switch (failure.failure) {
    case "NXDOMAIN":
      return {
        ok: false,
        cause: "NXDOMAIN",
        detail: `The name ${name} does not exist in DNS (NXDOMAIN), so it has no ${what}.`,
      };
    case "NO_RECORD":
      return {
        ok: false,
        cause: "NO_RECORD",
        detail: `No ${what} at ${name} (the name exists but has no ${what}).`,
      };
    case "SERVFAIL":
      return {
        ok: false,
        cause: "DNS_SERVFAIL",
        detail: `The DNS servers for ${name} answered SERVFAIL when asked for the ${what}: the zone's delegation or its DNSSEC signatures are broken, and a CA will not issue until it resolves.`,
      };
    case "CONNECTION_REFUSED":
      return {
        ok: false,
        cause: "CONNECTION_REFUSED",
        detail:
          failure.code === "EREFUSED"
            ? `The DNS server refused to answer the lookup of the ${what} at ${name} (REFUSED).`
            : `The DNS server could not be reached to look up the ${what} at ${name} (connection refused).`,
      };
    case "TIMEOUT":
      return {
        ok: false,
        cause: "TIMEOUT",
        detail:
          failure.code === "ETIMEOUT" || failure.code === "ECANCELLED"
            ? `No answer from DNS within ${seconds(timeoutMs)} when looking up the ${what} at ${name}.`
            : `No usable answer from DNS when looking up the ${what} at ${name} (${failure.code}).`,
      };
  }
}
