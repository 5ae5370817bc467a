// What the console says for the API's codes: statuses, check causes, methods, formats. Every
// status carries a symbol and words, so nothing is told by colour alone.
import { describeStatus, type OrderStatus } from "../../functions/domain/order-status.ts";

export interface StatusWords {
  /** A short label: "Issued". */
  readonly label: string;
  /** A symbol shown before it (decorative: the label says the same). */
  readonly symbol: string;
  /** The tone the badge is drawn in: "done", "waiting", "problem", "ended". */
  readonly tone: "done" | "waiting" | "problem" | "ended";
  /** One sentence, as in the API's mails. */
  readonly sentence: string;
}

const STATUS_LABELS: Record<OrderStatus, Omit<StatusWords, "sentence">> = {
  SUBMITTED: { label: "Submitted", symbol: "○", tone: "waiting" },
  PENDING_VALIDATION: { label: "Waiting for validation", symbol: "◔", tone: "waiting" },
  PENDING_REVIEW: { label: "In organization review", symbol: "◑", tone: "waiting" },
  ISSUING: { label: "Issuing", symbol: "◕", tone: "waiting" },
  ISSUED: { label: "Issued", symbol: "✓", tone: "done" },
  FAILED: { label: "Failed", symbol: "✕", tone: "problem" },
  CANCELLED: { label: "Cancelled", symbol: "⊘", tone: "ended" },
  REVOKED: { label: "Revoked", symbol: "⊗", tone: "problem" },
  EXPIRED: { label: "Expired", symbol: "⌛", tone: "ended" },
};

export function statusWords(status: OrderStatus): StatusWords {
  return { ...STATUS_LABELS[status], sentence: describeStatus(status) };
}

/** The named causes of a failed check, in plain words (the API's detail says the specifics). */
const CAUSES: Readonly<Record<string, string>> = {
  NXDOMAIN: "The name does not exist in DNS yet.",
  NO_RECORD: "The name exists, but the record is not there.",
  WRONG_VALUE: "Something is published, but not the expected value.",
  REDIRECTED: "The file's address redirects; it must answer directly.",
  HTTP_STATUS: "The web server did not answer the file with 200 OK.",
  TRAILING_NEWLINE: "The file ends with a line break or spaces; remove them.",
  CONNECTION_REFUSED: "Nothing accepted the connection on the web server's port.",
  TIMEOUT: "No answer came in time.",
  DNS_SERVFAIL: "The name's DNS servers answered with an error (broken delegation or DNSSEC).",
  ADDRESS_NOT_PUBLIC: "The name leads to an address off the public internet; nothing was fetched.",
  NOT_PROPAGATED: "The record is on some of the zone's DNS servers, not yet on all of them.",
  CAA_FORBIDS: "A CAA record of the name does not allow this CA to issue.",
};

export function causeWords(cause: string | undefined): string {
  if (cause === undefined) return "Not found yet.";
  return CAUSES[cause] ?? "The check did not pass.";
}

const VALIDATION_STATUS: Readonly<Record<string, string>> = {
  pending: "Not found yet",
  published: "Found: published",
  valid: "Validated",
  invalid: "Refused",
};

export function validationStatusWords(status: string): string {
  return VALIDATION_STATUS[status] ?? status;
}

export const METHOD_WORDS: Readonly<Record<string, string>> = {
  "dns-txt": "DNS TXT record",
  "dns-cname": "DNS CNAME record (delegation, set once)",
  "http-file": "HTTP file on the web server",
  email: "Email to an approver address",
};

/** The downloads, by the server they are for. */
export const DOWNLOAD_FORMATS = [
  { format: "nginx", label: "Nginx", accept: "application/zip", pfx: false },
  { format: "apache", label: "Apache", accept: "application/zip", pfx: false },
  { format: "iis", label: "IIS (.pfx)", accept: "application/x-pkcs12", pfx: true },
  { format: "tomcat", label: "Tomcat (.pfx)", accept: "application/x-pkcs12", pfx: true },
  {
    format: "pem",
    label: "PEM (certificate and chain)",
    accept: "application/x-pem-file",
    pfx: false,
  },
] as const;

export const REVOCATION_REASONS = [
  { value: "unspecified", label: "No reason given" },
  { value: "keyCompromise", label: "The private key was compromised" },
  { value: "affiliationChanged", label: "The organization's details changed" },
  { value: "superseded", label: "Replaced by another certificate" },
  { value: "cessationOfOperation", label: "The site no longer runs" },
] as const;

/** "1 h 05 min", "3 min 20 s", "2 days 4 h": how long until a moment, for people. */
export function durationWords(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return `${days} day${days === 1 ? "" : "s"} ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes > 0) return `${minutes} min ${String(rest).padStart(2, "0")} s`;
  return `${rest} s`;
}

/** "12 Nov 2026, 14:05 UTC": a time for people, in UTC as the API and the mails give it. */
export function timeWords(iso: string | undefined): string {
  if (iso === undefined) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const date = at.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  return `${date}, ${at.toISOString().slice(11, 16)} UTC`;
}
