import { isIP } from "node:net";
import {
  type AuthoritativeServer,
  propagationVerdict,
  type ServerAnswer,
} from "../../domain/propagation.ts";
import type { CheckOutcome } from "../../ports/dcv-checker.ts";
import { createDnsLookup, type DnsLookup, DnsLookupFailure } from "./dns-lookup.ts";

/** A check of one record at a host through one DNS lookup (dns-check.ts's checks). */
export type RecordCheck = (
  dns: DnsLookup,
  host: string,
  expected: string,
  timeoutMs: number,
) => Promise<CheckOutcome>;

export const DNS_PORT = 53;

/** Names with fewer labels are never asked for NS: a TLD's servers only refer onwards. */
const MIN_ZONE_LABELS = 2;

/**
 * The zone's authoritative servers for `host`, through the configured resolver: from `host` up,
 * the first name with NS records (never a top-level domain), then one address of each server
 * (A first, then AAAA). A server whose address is not found is kept with an empty address.
 * None when no NS records are found, or a lookup fails other than NXDOMAIN or no record.
 */
export async function findAuthoritativeServers(
  dns: DnsLookup,
  host: string,
): Promise<AuthoritativeServer[]> {
  const labels = host.replace(/\.$/, "").split(".");
  for (let start = 0; labels.length - start >= MIN_ZONE_LABELS; start++) {
    const zone = labels.slice(start).join(".");
    let names: string[];
    try {
      names = await dns.ns(zone);
    } catch (error) {
      if (!(error instanceof DnsLookupFailure)) throw error;
      if (error.failure === "NXDOMAIN" || error.failure === "NO_RECORD") continue;
      return [];
    }
    if (names.length === 0) continue;
    const unique = [...new Set(names.map((name) => name.toLowerCase()))].sort();
    return Promise.all(
      unique.map(async (name) => {
        try {
          return { name, address: await dns.address(name) };
        } catch (error) {
          if (!(error instanceof DnsLookupFailure)) throw error;
          return { name, address: "" };
        }
      }),
    );
  }
  return [];
}

const MAX_ALIAS_HOPS = 8;

/**
 * Where a record at `host` really lives: the end of its CNAME chain, through the configured
 * resolver (`host` itself when it is no alias, or a lookup fails).
 */
export async function aliasTarget(dns: DnsLookup, host: string): Promise<string> {
  let name = host;
  for (let hop = 0; hop < MAX_ALIAS_HOPS; hop++) {
    let targets: string[];
    try {
      targets = await dns.cname(name);
    } catch (error) {
      if (error instanceof DnsLookupFailure) return name;
      throw error;
    }
    const [target] = targets;
    if (target === undefined) return name;
    name = target.replace(/\.$/, "");
  }
  return name;
}

const NO_ANSWER_CAUSES: ReadonlySet<string> = new Set([
  "TIMEOUT",
  "CONNECTION_REFUSED",
  "DNS_SERVFAIL",
]);

/** "127.0.0.2:53" or "[2001:db8::1]:53", the form a DNS lookup's resolver takes. */
export function serverAt(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** What one server's answer to the check means for the propagation view. */
export function serverAnswer(server: AuthoritativeServer, outcome: CheckOutcome): ServerAnswer {
  if (outcome.ok) return { ...server, answer: "found" };
  return {
    ...server,
    answer: NO_ANSWER_CAUSES.has(outcome.cause) ? "no-answer" : "missing",
    detail: outcome.detail,
  };
}

export interface AuthoritativeViewOptions {
  /** The configured resolver: asked for the verdict, the NS records and the servers' addresses. */
  readonly dns: DnsLookup;
  /** Port the authoritative servers are asked on: 53, or a local test's servers' port. */
  readonly port: number;
  readonly timeoutMs: number;
  /** What is checked, as the outcome names it, e.g. "TXT record". */
  readonly what: string;
  /**
   * Ask the servers of the zone a CNAME at `host` leads to, for the record at its target (a TXT
   * record whose name is an alias lives there); false when the CNAME itself is checked.
   */
  readonly followAlias?: boolean;
}

/**
 * Runs `check` through the configured resolver and, at the same time, at each of the zone's
 * authoritative servers, and decides as the domain's propagation rule says.
 */
export async function checkWithAuthoritativeView(
  check: RecordCheck,
  host: string,
  expected: string,
  options: AuthoritativeViewOptions,
): Promise<CheckOutcome> {
  const { dns, port, timeoutMs } = options;
  const discovery = async () => {
    const recordName = options.followAlias === true ? await aliasTarget(dns, host) : host;
    return { recordName, servers: await findAuthoritativeServers(dns, recordName) };
  };
  const [resolverOutcome, { recordName, servers }] = await Promise.all([
    check(dns, host, expected, timeoutMs),
    discovery(),
  ]);
  const answers = await Promise.all(
    servers.map(async (server): Promise<ServerAnswer> => {
      if (server.address === "") {
        return {
          ...server,
          answer: "no-answer",
          detail: `The address of ${server.name} could not be found, so it was not asked.`,
        };
      }
      const atServer = createDnsLookup({ resolver: serverAt(server.address, port), timeoutMs });
      return serverAnswer(server, await check(atServer, recordName, expected, timeoutMs));
    }),
  );
  return propagationVerdict(resolverOutcome, answers, {
    what: options.what,
    servfailCause: "DNS_SERVFAIL",
  });
}
