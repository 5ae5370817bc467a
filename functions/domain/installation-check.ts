/**
 * The installation check: whether the web server behind each of an order's names serves the
 * order's current certificate with its full chain. This file judges what a server sent (read
 * elsewhere); it connects to nothing.
 */

export const INSTALLATION_FINDINGS = [
  /** The order's current certificate is served with every intermediate of its chain. */
  "OK",
  /** An earlier certificate of this order (or of the order it renews) is still served. */
  "OLD_CERTIFICATE",
  /** A certificate that is not this order's, valid and covering the name, is served. */
  "OTHER_CERTIFICATE",
  /** The order's certificate is served without an intermediate of its chain. */
  "CHAIN_INCOMPLETE",
  /** The served certificate does not cover the name. */
  "NAME_MISMATCH",
  /** The served certificate has expired (or is not valid yet). */
  "EXPIRED",
  /** The server answered, but no TLS session came about (or it sent no readable certificate). */
  "TLS_HANDSHAKE_FAILED",
  /** Nothing listens on the port, or the address cannot be reached. */
  "CONNECTION_REFUSED",
  /** No answer (DNS or TLS) within the check's time. */
  "TIMEOUT",
  /** The name leads to an address off the public internet: nothing was connected to. */
  "ADDRESS_NOT_PUBLIC",
  /** The name does not exist in DNS. */
  "NXDOMAIN",
  /** The name exists but has no A or AAAA record. */
  "NO_RECORD",
  /** The name's DNS servers answered SERVFAIL. */
  "DNS_SERVFAIL",
] as const;

export type InstallationFinding = (typeof INSTALLATION_FINDINGS)[number];

/** What the installation check reads from one certificate (served, or stored for the order). */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  /** Lowercase hex without a leading zero byte, as the order's certificate summary has it. */
  readonly serialNumber: string;
  /** Uppercase hex pairs joined by colons. */
  readonly sha256Fingerprint: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** The subjectAltName DNS names, lowercase. */
  readonly names: readonly string[];
}

/** The certificate the order holds now, and the chain stored with it (root included or not). */
export interface ExpectedCertificate {
  readonly certificate: CertificateFacts;
  readonly chain: readonly CertificateFacts[];
}

export interface InstallationJudgementInput {
  /** The order's name (ASCII); a wildcard name was checked at its base name. */
  readonly name: { readonly ascii: string; readonly wildcard: boolean };
  /** What the server sent, leaf first, as its certificates link. */
  readonly served: readonly CertificateFacts[];
  readonly expected: ExpectedCertificate;
  /** Serials of earlier certificates of this order (and of the order it renews), when known. */
  readonly earlierSerials: readonly string[];
  readonly now: Date;
}

export interface InstallationJudgement {
  readonly finding: InstallationFinding;
  /** Customer-readable: what was served and what to do. */
  readonly detail: string;
}

/** The host a name is checked at: a wildcard name at its base name (`*.example.com` → `example.com`). */
export function installationHost(name: { readonly ascii: string; readonly wildcard: boolean }) {
  return name.wildcard ? name.ascii.replace(/^\*\./, "") : name.ascii;
}

const sameFingerprint = (a: CertificateFacts, b: CertificateFacts) =>
  a.sha256Fingerprint.toUpperCase() === b.sha256Fingerprint.toUpperCase();

const selfIssued = (certificate: CertificateFacts) =>
  certificate.subject.toLowerCase() === certificate.issuer.toLowerCase();

/**
 * Whether a certificate listing `names` covers the order's name: the name itself, or for a
 * name that is not a wildcard, a wildcard one label above it (RFC 6125: `*.example.com` covers
 * `www.example.com`, not `example.com` nor `a.b.example.com`). A wildcard name is covered only
 * by that wildcard.
 */
export function certificateCovers(
  names: readonly string[],
  name: { readonly ascii: string; readonly wildcard: boolean },
): boolean {
  const wanted = name.ascii.toLowerCase();
  const listed = names.map((entry) => entry.toLowerCase());
  if (listed.includes(wanted)) return true;
  if (name.wildcard) return false;
  const dot = wanted.indexOf(".");
  return dot > 0 && listed.includes(`*${wanted.slice(dot)}`);
}

const describe = (certificate: CertificateFacts) =>
  `serial ${certificate.serialNumber}, issued by ${certificate.issuer}`;

const expiredOrNotYetValid = (certificate: CertificateFacts, now: Date) => {
  if (now.getTime() > Date.parse(certificate.notAfter)) return `expired at ${certificate.notAfter}`;
  if (now.getTime() < Date.parse(certificate.notBefore)) {
    return `is not valid before ${certificate.notBefore}`;
  }
  return undefined;
};

const listed = (names: readonly string[]) =>
  names.length === 0
    ? "no DNS names"
    : names.slice(0, 5).join(", ") + (names.length > 5 ? ", …" : "");

/**
 * Judges what a server sent for one of the order's names against the order's current
 * certificate and chain: the first finding that applies, in this order.
 *
 * - Nothing sent: TLS_HANDSHAKE_FAILED.
 * - The order's current certificate (the same bytes): EXPIRED when it is out of its validity,
 *   NAME_MISMATCH when it does not cover the name, CHAIN_INCOMPLETE when an intermediate of the
 *   stored chain (every certificate in it that is not self-issued) is not among what was sent
 *   after it, otherwise OK. Sending the root as well is fine.
 * - An earlier certificate of this order (by serial): OLD_CERTIFICATE, expired or not.
 * - Anything else: NAME_MISMATCH when it does not cover the name, EXPIRED when it is out of
 *   its validity, otherwise OTHER_CERTIFICATE.
 */
export function judgeInstallation(input: InstallationJudgementInput): InstallationJudgement {
  const { name, served, expected, now } = input;
  const host = installationHost(name);
  const where = name.wildcard ? `${host} (checked for ${name.ascii})` : host;
  const current = expected.certificate;
  const [leaf, ...sentAfter] = served;
  if (leaf === undefined) {
    return {
      finding: "TLS_HANDSHAKE_FAILED",
      detail: `${where} completed no TLS handshake with a certificate: the server sent none.`,
    };
  }

  if (sameFingerprint(leaf, current)) {
    const validity = expiredOrNotYetValid(leaf, now);
    if (validity !== undefined) {
      return {
        finding: "EXPIRED",
        detail: `${where} serves this order's certificate (serial ${leaf.serialNumber}), which ${validity}: renew it and install the new one.`,
      };
    }
    if (!certificateCovers(leaf.names, name)) {
      return {
        finding: "NAME_MISMATCH",
        detail: `${where} serves this order's certificate (serial ${leaf.serialNumber}), which lists ${listed(leaf.names)} and does not cover ${name.ascii}.`,
      };
    }
    const intermediates = expected.chain.filter((certificate) => !selfIssued(certificate));
    const missing = intermediates.filter(
      (intermediate) => !sentAfter.some((sent) => sameFingerprint(sent, intermediate)),
    );
    if (missing.length > 0) {
      const names = missing.map((certificate) => certificate.subject).join("; ");
      return {
        finding: "CHAIN_INCOMPLETE",
        detail:
          sentAfter.length === 0
            ? `${where} serves this order's certificate without its chain: the intermediate ${names} is missing, and clients that do not have it cannot verify the certificate. Install the full chain (the .fullchain.pem of the nginx download, or the certificate followed by chain.pem).`
            : `${where} serves this order's certificate, but not the intermediate ${names} of its chain (it sends ${sentAfter.map((certificate) => certificate.subject).join("; ")} instead). Install the full chain (the .fullchain.pem of the nginx download, or the certificate followed by chain.pem).`,
      };
    }
    return {
      finding: "OK",
      detail: `${where} serves this order's certificate (serial ${leaf.serialNumber}) with its full chain.`,
    };
  }

  if (input.earlierSerials.includes(leaf.serialNumber.toLowerCase())) {
    const validity = expiredOrNotYetValid(leaf, now);
    return {
      finding: "OLD_CERTIFICATE",
      detail: `${where} still serves an earlier certificate of this order (serial ${leaf.serialNumber}${validity === undefined ? `, valid until ${leaf.notAfter}` : `, which ${validity}`}): install the current one (serial ${current.serialNumber}) and reload the server.`,
    };
  }
  if (!certificateCovers(leaf.names, name)) {
    return {
      finding: "NAME_MISMATCH",
      detail: `${where} serves a certificate (${describe(leaf)}) that lists ${listed(leaf.names)} and does not cover ${name.ascii}: browsers refuse it. Install this order's certificate (serial ${current.serialNumber}) for ${host}.`,
    };
  }
  const validity = expiredOrNotYetValid(leaf, now);
  if (validity !== undefined) {
    return {
      finding: "EXPIRED",
      detail: `${where} serves a certificate (${describe(leaf)}) that ${validity}: browsers refuse it. Install this order's certificate (serial ${current.serialNumber}).`,
    };
  }
  return {
    finding: "OTHER_CERTIFICATE",
    detail: `${where} serves another certificate for the name (${describe(leaf)}), not this order's (serial ${current.serialNumber}). Install this order's certificate if it should replace it.`,
  };
}

/** One certificate the server sent, as results show it. */
export interface ServedChainEntry {
  readonly subject: string;
  readonly serialNumber: string;
}

/** One name's result, as the API answers it and the order records it. */
export interface InstallationResult {
  /** The order's name (ASCII). */
  readonly domain: string;
  /** Where it was checked: the name, or a wildcard's base name. */
  readonly host: string;
  readonly ok: boolean;
  readonly finding: InstallationFinding;
  readonly detail: string;
  /** The serial of the certificate the server sent first (its own). */
  readonly servedSerial?: string;
  /** Everything the server sent, leaf first. */
  readonly servedChain?: readonly ServedChainEntry[];
}

/** The order's last installation check. */
export interface InstallationRecord {
  readonly checkedAt: string;
  /**
   * Who ran it: a caller of the API; the workflow right after issuance; the same check as
   * recorded on the order a renewal renewed; or the renewal run's look once the grace period
   * after a renewal ended (`installationRecheckAt`).
   */
  readonly trigger: "api" | "issuance" | "renewal" | "recheck";
  /** The certificate it looked for. */
  readonly certificateSerial?: string;
  readonly results: readonly InstallationResult[];
  /** Why the check could not run at all (then `results` is empty). */
  readonly notRun?: string;
}

/** Every certificate the server sent, as results list them (at most `limit`). */
export function servedChainOf(served: readonly CertificateFacts[], limit = 10): ServedChainEntry[] {
  return served.slice(0, limit).map(({ subject, serialNumber }) => ({ subject, serialNumber }));
}
