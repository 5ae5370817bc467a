import { isIP } from "node:net";

export interface ResolverAddress {
  readonly host: string;
  readonly port: number;
  /** The form `Resolver.setServers` takes: "127.0.0.1:8053" or "[::1]:53". */
  readonly server: string;
}

const DNS_PORT = 53;

/**
 * Parses a DNS resolver given as "host:port" ("127.0.0.1:8053", "[::1]:53"), or as a bare
 * IP address (port 53). The host must be an IP address: the resolver is what resolves names.
 */
export function parseResolverAddress(text: string): ResolverAddress {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const hostAndPort = /^([^:]+):(\d+)$/.exec(trimmed);
  let host: string;
  let portText: string | undefined;
  if (bracketed?.[1] !== undefined) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (hostAndPort?.[1] !== undefined) {
    host = hostAndPort[1];
    portText = hostAndPort[2];
  } else {
    host = trimmed;
  }
  const family = isIP(host);
  if (family === 0 || (bracketed !== null && family !== 6)) {
    throw new Error(
      `DNS resolver "${text}" is not an IP address with an optional port (e.g. "127.0.0.1:8053" or "[::1]:53").`,
    );
  }
  const port = portText === undefined ? DNS_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`DNS resolver "${text}" has an invalid port (1-65535).`);
  }
  const server = family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, server };
}
