import { Resolver, lookup as systemLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseResolverAddress } from "./resolver-address.ts";

/** Why a DNS lookup found nothing usable, in the terms a DCV check reports. */
export type DnsFailure = "NXDOMAIN" | "NO_RECORD" | "SERVFAIL" | "TIMEOUT" | "CONNECTION_REFUSED";

export class DnsLookupFailure extends Error {
  readonly failure: DnsFailure;
  /** The resolver's error code (ENOTFOUND, ENODATA, ETIMEOUT, ESERVFAIL, ...). */
  readonly code: string;

  constructor(failure: DnsFailure, code: string, message: string) {
    super(message);
    this.name = "DnsLookupFailure";
    this.failure = failure;
    this.code = code;
  }
}

const FAILURE_OF_CODE: ReadonlyMap<string, DnsFailure> = new Map([
  ["ENOTFOUND", "NXDOMAIN"],
  ["ENODATA", "NO_RECORD"],
  ["ECONNREFUSED", "CONNECTION_REFUSED"],
  ["EREFUSED", "CONNECTION_REFUSED"],
  ["ESERVFAIL", "SERVFAIL"],
]);

/**
 * Maps a node:dns error code to what a check reports. Any other code (ETIMEOUT, ECANCELLED from
 * our own deadline, EAI_AGAIN, malformed answers) means no usable answer arrived.
 */
export function dnsFailureOfCode(code: string): DnsFailure {
  return FAILURE_OF_CODE.get(code) ?? "TIMEOUT";
}

export interface DnsLookup {
  /** Every TXT record at the name, each with its character-strings joined. */
  txt(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  /** The name servers an NS record set at the name names (no trailing dots). */
  ns(name: string): Promise<string[]>;
  /** One address of the name: A first, then AAAA. An IP literal is returned as it is. */
  address(name: string): Promise<string>;
}

export interface DnsLookupOptions {
  /** "host:port" of the DNS server to ask; the system's resolver when absent. */
  readonly resolver?: string;
  readonly timeoutMs: number;
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

function toFailure(error: unknown, name: string): unknown {
  if (error instanceof DnsLookupFailure) return error;
  const code = errorCode(error);
  if (code === undefined) return error;
  return new DnsLookupFailure(dnsFailureOfCode(code), code, `DNS lookup of ${name}: ${code}`);
}

export function createDnsLookup(options: DnsLookupOptions): DnsLookup {
  const server =
    options.resolver === undefined ? undefined : parseResolverAddress(options.resolver).server;
  const timeoutMs = options.timeoutMs;

  /** Runs queries on a fresh resolver that is cancelled when the deadline passes. */
  async function query<T>(name: string, run: (resolver: Resolver) => Promise<T>): Promise<T> {
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (server !== undefined) resolver.setServers([server]);
    const deadline = setTimeout(() => resolver.cancel(), timeoutMs);
    try {
      return await run(resolver);
    } catch (error) {
      throw toFailure(error, name);
    } finally {
      clearTimeout(deadline);
    }
  }

  async function systemAddress(name: string): Promise<string> {
    let deadline: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () =>
          reject(new DnsLookupFailure("TIMEOUT", "ETIMEOUT", `DNS lookup of ${name}: ETIMEOUT`)),
        timeoutMs,
      );
    });
    try {
      const found = await Promise.race([systemLookup(name), expired]);
      return found.address;
    } catch (error) {
      throw toFailure(error, name);
    } finally {
      clearTimeout(deadline);
    }
  }

  return {
    txt: (name) =>
      query(name, async (resolver) =>
        (await resolver.resolveTxt(name)).map((chunks) => chunks.join("")),
      ),
    cname: (name) => query(name, (resolver) => resolver.resolveCname(name)),
    ns: (name) =>
      query(name, async (resolver) =>
        (await resolver.resolveNs(name)).map((host) => host.replace(/\.$/, "")),
      ),
    async address(name) {
      if (isIP(name) !== 0) return name;
      if (server === undefined) return systemAddress(name);
      return query(name, async (resolver) => {
        try {
          const [first] = await resolver.resolve4(name);
          if (first !== undefined) return first;
        } catch (error) {
          if (errorCode(error) !== "ENODATA") throw error;
        }
        const [first] = await resolver.resolve6(name);
        if (first === undefined) throw new DnsLookupFailure("NO_RECORD", "ENODATA", name);
        return first;
      });
    },
  };
}
