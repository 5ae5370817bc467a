import { isIP } from "node:net";
import { connect, type DetailedPeerCertificate } from "node:tls";
import {
  ADDRESS_SCOPE_DESCRIPTIONS,
  addressScope,
  mayConnectTo,
} from "../../domain/address-scope.ts";
import type { CertificateFacts } from "../../domain/installation-check.ts";
import { parseCertificate } from "../../pki/certificate-info.ts";
import type {
  InstallationChecker,
  ObservationFailure,
  TlsObservation,
} from "../../ports/installation-checker.ts";
import { dnsFailureOutcome } from "../dcv/dns-failure-detail.ts";
import { createDnsLookup, DnsLookupFailure } from "../dcv/dns-lookup.ts";

export const HTTPS_PORT = 443;

/** More than any real server sends; a longer list is cut here. */
const MAX_SERVED_CERTIFICATES = 10;

export interface TlsInstallationCheckerOptions {
  /** DNS server as "host:port"; the system resolver when absent. */
  readonly resolver?: string;
  /** Port to connect to; 443 when absent (a local test server elsewhere). */
  readonly port?: number;
  /**
   * Connect to loopback addresses too (a developer's machine only). Every other address off
   * the public internet is refused whatever this says.
   */
  readonly allowLoopback?: boolean;
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "EHOSTDOWN"]);

class ObservationTimeout extends Error {
  readonly code = "ETIMEDOUT";
}

/** The DER of each certificate the server sent, leaf first, as Node links them. */
function servedDers(leaf: DetailedPeerCertificate): Buffer[] {
  const ders: Buffer[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf;
  while (
    current?.raw !== undefined &&
    !seen.has(current.fingerprint256) &&
    ders.length < MAX_SERVED_CERTIFICATES
  ) {
    seen.add(current.fingerprint256);
    ders.push(current.raw);
    current = current.issuerCertificate;
  }
  return ders;
}

function factsOf(der: Uint8Array): CertificateFacts {
  const info = parseCertificate(der);
  return {
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    sha256Fingerprint: info.sha256Fingerprint,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    names: info.names,
  };
}

/** One TLS handshake with SNI `host` at `address`: the DERs the server sent. */
function handshake(address: string, port: number, host: string, timeoutMs: number) {
  return new Promise<Buffer[]>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      outcome();
    };
    const socket = connect({
      host: address,
      port,
      // SNI names a host, never an address (RFC 6066).
      ...(isIP(host) === 0 ? { servername: host } : {}),
      // The chain is judged against the order's stored certificate, not against a trust store.
      rejectUnauthorized: false,
      // An empty trust store: Node appends issuers it finds in its store to the chain it
      // reports, and only what the server sent may be reported.
      ca: [],
    });
    const deadline = setTimeout(
      () => finish(() => reject(new ObservationTimeout(`No handshake within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.once("secureConnect", () => {
      const leaf = socket.getPeerCertificate(true);
      finish(() => resolve(leaf.raw === undefined ? [] : servedDers(leaf)));
    });
    socket.once("error", (error) => finish(() => reject(error)));
    socket.once("close", () =>
      finish(() =>
        reject(Object.assign(new Error("closed before the handshake"), { code: "ECONNRESET" })),
      ),
    );
  });
}

const failed = (cause: ObservationFailure, detail: string): TlsObservation => ({
  ok: false,
  cause,
  detail,
});

/**
 * Observes what a host's TLS endpoint serves: its address through DNS (the configured resolver),
 * refused unless public (or loopback where allowed), then one handshake with SNI, within
 * `timeoutMs` for both.
 */
export function createTlsInstallationChecker(
  options: TlsInstallationCheckerOptions = {},
): InstallationChecker {
  const port = options.port ?? HTTPS_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`Installation check port must be 1-65535, got ${port}`);
  }
  const allowLoopback = options.allowLoopback === true;

  return {
    async observe(host, { timeoutMs }) {
      const started = Date.now();
      const dns = createDnsLookup({ resolver: options.resolver, timeoutMs });
      let address: string;
      try {
        address = await dns.address(host);
      } catch (error) {
        if (!(error instanceof DnsLookupFailure)) throw error;
        // The DCV checks' terms: NXDOMAIN, NO_RECORD, DNS_SERVFAIL, TIMEOUT, CONNECTION_REFUSED
        // (the DNS server refused; the detail says so).
        const outcome = dnsFailureOutcome(error, "A or AAAA record", host, timeoutMs);
        return failed(outcome.cause as ObservationFailure, outcome.detail);
      }
      if (!mayConnectTo(address, { allowLoopback })) {
        const scope = addressScope(address);
        const what = scope === undefined ? "an unusable" : ADDRESS_SCOPE_DESCRIPTIONS[scope];
        return failed(
          "ADDRESS_NOT_PUBLIC",
          `${host} resolves to ${what} address, which is not on the public internet: nothing was connected to. Point the name's A or AAAA record at the public server that serves it.`,
        );
      }

      const where = `${host} (port ${port})`;
      const timedOut = failed(
        "TIMEOUT",
        `No TLS handshake with ${where} within ${seconds(timeoutMs)}.`,
      );
      const remainingMs = timeoutMs - (Date.now() - started);
      if (remainingMs <= 0) return timedOut;
      let ders: Buffer[];
      try {
        ders = await handshake(address, port, host, remainingMs);
      } catch (error) {
        const code = errorCode(error) ?? "unknown error";
        if (code === "ETIMEDOUT") return timedOut;
        if (code === "ECONNREFUSED") {
          return failed(
            "CONNECTION_REFUSED",
            `Connection refused by ${where}: no server is listening for HTTPS there.`,
          );
        }
        if (UNREACHABLE.has(code)) {
          return failed("CONNECTION_REFUSED", `${where} could not be reached (${code}).`);
        }
        return failed(
          "TLS_HANDSHAKE_FAILED",
          code === "ECONNRESET" || code === "EPIPE"
            ? `${where} closed the connection during the TLS handshake: it may not serve TLS on this port, or not for ${host}.`
            : `The TLS handshake with ${where} failed (${code}).`,
        );
      }
      if (ders.length === 0) {
        return failed("TLS_HANDSHAKE_FAILED", `${where} sent no certificate.`);
      }
      try {
        return { ok: true, served: ders.map(factsOf) };
      } catch {
        return failed(
          "TLS_HANDSHAKE_FAILED",
          `${where} sent a certificate that cannot be read as X.509.`,
        );
      }
    },
  };
}
