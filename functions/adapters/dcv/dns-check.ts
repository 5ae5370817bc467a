import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import { dnsFailureOutcome } from "./dns-failure-detail.ts";
import { type DnsLookup, DnsLookupFailure } from "./dns-lookup.ts";
import { listFound, quoteFound, sameDnsName } from "./value-comparison.ts";

async function lookupOrOutcome<T>(
  run: () => Promise<T>,
  what: string,
  host: string,
  timeoutMs: number,
): Promise<{ found: T } | { outcome: CheckOutcome }> {
  try {
    return { found: await run() };
  } catch (error) {
    if (error instanceof DnsLookupFailure) {
      return { outcome: dnsFailureOutcome(error, what, host, timeoutMs) };
    }
    throw error;
  }
}

/** The TXT record at `host` must hold `value` exactly (chunks joined, nothing trimmed). */
export async function checkDnsTxt(
  dns: DnsLookup,
  host: string,
  value: string,
  timeoutMs: number,
): Promise<CheckOutcome> {
  const result = await lookupOrOutcome(() => dns.txt(host), "TXT record", host, timeoutMs);
  if ("outcome" in result) return result.outcome;
  const records = result.found;
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
}

/** `host` must be a CNAME pointing at `target` (case and a trailing dot do not matter). */
export async function checkDnsCname(
  dns: DnsLookup,
  host: string,
  target: string,
  timeoutMs: number,
): Promise<CheckOutcome> {
  const result = await lookupOrOutcome(() => dns.cname(host), "CNAME record", host, timeoutMs);
  if ("outcome" in result) return result.outcome;
  const targets = result.found;
  if (targets.some((found) => sameDnsName(found, target))) return { ok: true };
  return {
    ok: false,
    cause: "WRONG_VALUE",
    detail: `The CNAME record at ${host} points to ${listFound(targets)}, not to ${quoteFound(target, 200)}.`,
  };
}
