import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import { dnsFailureOutcome } from "./dns-failure-detail.ts";
import { type DnsLookup, DnsLookupFailure } from "./dns-lookup.ts";
import { listFound, quoteFound, sameDnsName } from "./value-comparison.ts";

type DnsCheck = (
  dns: DnsLookup,
  host: string,
  expected: string,
  timeoutMs: number,
) => Promise<CheckOutcome>;

/**
 * A check of the records of one type at a host: a failed lookup becomes its DNS failure
 * outcome, and the records found are judged against the expected value.
 */
function recordCheck(record: {
  /** What is looked up, as outcomes name it, e.g. "TXT record". */
  readonly what: string;
  readonly lookup: (dns: DnsLookup, host: string) => Promise<string[]>;
  readonly judge: (found: readonly string[], host: string, expected: string) => CheckOutcome;
}): DnsCheck {
  return async (dns, host, expected, timeoutMs) => {
    let found: string[];
    try {
      found = await record.lookup(dns, host);
    } catch (error) {
      if (error instanceof DnsLookupFailure) {
        return dnsFailureOutcome(error, record.what, host, timeoutMs);
      }
      throw error;
    }
    return record.judge(found, host, expected);
  };
}

/** The TXT record at `host` must hold `value` exactly (chunks joined, nothing trimmed). */
export const checkDnsTxt: DnsCheck = recordCheck({
  what: "TXT record",
  lookup: (dns, host) => dns.txt(host),
  judge(records, host, value) {
    if (records.includes(value)) return { ok: true };
    const padded = records.some((record) => record.trim() === value);
    const noun = records.length === 1 ? "TXT record" : "TXT records";
    return {
      ok: false,
      cause: "WRONG_VALUE",
      detail:
        `The ${noun} at ${host} hold${records.length === 1 ? "s" : ""} ${listFound(records)}, ` +
        `not the expected value ${quoteFound(value, 200)}.` +
        (padded ? " One record has the value with extra spaces around it: remove them." : ""),
    };
  },
});

/** `host` must be a CNAME pointing at `target` (case and a trailing dot do not matter). */
export const checkDnsCname: DnsCheck = recordCheck({
  what: "CNAME record",
  lookup: (dns, host) => dns.cname(host),
  judge(targets, host, target) {
    if (targets.some((found) => sameDnsName(found, target))) return { ok: true };
    return {
      ok: false,
      cause: "WRONG_VALUE",
      detail: `The CNAME record at ${host} points to ${listFound(targets)}, not to ${quoteFound(target, 200)}.`,
    };
  },
});
