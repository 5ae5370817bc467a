import { Resolver } from "node:dns/promises";
import { type CaaRecord, caaLookupNames } from "../../domain/caa-policy.ts";
import type { CaaFinding, CaaLookup } from "../../ports/caa-lookup.ts";
import { dnsFailureOutcome } from "./dns-failure-detail.ts";
import { DnsLookupFailure, dnsFailureOfCode } from "./dns-lookup.ts";
import { parseResolverAddress } from "./resolver-address.ts";

export interface CaaLookupOptions {
  /** "host:port" of the DNS server to ask; the system's resolver when absent. */
  readonly resolver?: string;
  /** Budget of one name's whole climb. */
  readonly timeoutMs: number;
}

/** The fields node:dns adds beside the one property (tag) a CAA answer holds. */
const NOT_TAGS: ReadonlySet<string> = new Set(["critical", "type"]);

/** node:dns answers a CAA record as `{ critical, <tag>: value }` (and `type` in some versions). */
export function caaRecordOf(answer: Readonly<Record<string, unknown>>): CaaRecord | undefined {
  const tag = Object.keys(answer).find((key) => !NOT_TAGS.has(key));
  if (tag === undefined) return undefined;
  const value = answer[tag];
  const flags = answer.critical;
  return {
    flags: typeof flags === "number" ? flags : 0,
    tag,
    value: typeof value === "string" ? value : String(value),
  };
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

/** Codes meaning "no CAA here": look at the parent. */
const NOTHING_HERE: ReadonlySet<string> = new Set(["ENODATA", "ENOTFOUND"]);

/**
 * CAA lookups through the configured resolver (RFC 8659 section 3): the name's own RRset, or
 * its parent's, up to the TLD; a CNAME at a name is followed by the resolver, and the climb
 * goes on from the name's parent. A SERVFAIL (or no answer) anywhere on the way is no verdict.
 */
export function createCaaLookup(options: CaaLookupOptions): CaaLookup {
  const server =
    options.resolver === undefined ? undefined : parseResolverAddress(options.resolver).server;
  const { timeoutMs } = options;
  return {
    async caa(name: string): Promise<CaaFinding> {
      const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
      if (server !== undefined) resolver.setServers([server]);
      const deadline = setTimeout(() => resolver.cancel(), timeoutMs);
      try {
        for (const candidate of caaLookupNames(name)) {
          let answers: readonly Record<string, unknown>[];
          try {
            answers = (await resolver.resolveCaa(candidate)) as unknown as Record<
              string,
              unknown
            >[];
          } catch (error) {
            const code = errorCode(error);
            if (code === undefined) throw error;
            if (NOTHING_HERE.has(code)) continue;
            const failure = new DnsLookupFailure(
              dnsFailureOfCode(code),
              code,
              `CAA lookup of ${candidate}: ${code}`,
            );
            const outcome = dnsFailureOutcome(failure, "CAA records", candidate, timeoutMs);
            return { kind: "failed", cause: outcome.cause, detail: outcome.detail };
          }
          const records = answers.flatMap((answer) => caaRecordOf(answer) ?? []);
          if (records.length > 0) return { kind: "found", rrset: { foundAt: candidate, records } };
        }
        return { kind: "none" };
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}
