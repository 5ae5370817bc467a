import type { ValidationMethod } from "./dcv-methods.ts";
import { ipLiteralVersion } from "./ip-literal.ts";

/**
 * CAA (RFC 8659, with RFC 8657's `accounturi` and `validationmethods`): whether the records a
 * name's domain holders published let this CA issue for it. Pure: the records are looked up
 * elsewhere, and this module only judges them.
 */

/** One CAA record as found in DNS. */
export interface CaaRecord {
  /** The flags octet; bit 128 is the issuer-critical flag. */
  readonly flags: number;
  readonly tag: string;
  readonly value: string;
}

/** The relevant CAA RRset of a name: the first one found climbing from the name to its TLD. */
export interface CaaRrset {
  /** The name the records are at (the name itself or a parent), without a trailing dot. */
  readonly foundAt: string;
  readonly records: readonly CaaRecord[];
}

/** Who is asking to issue, as CAA records name it. */
export interface CaaIdentity {
  /** The CA's issuer domain names (e.g. "letsencrypt.org"); lower case. */
  readonly identities: readonly string[];
  /** The ACME account the order is placed with (RFC 8657 `accounturi`), when there is one. */
  readonly accountUri?: string;
}

/** RFC 8657 validation method labels. */
export type CaaValidationMethod = "dns-01" | "http-01";

export type CaaVerdict =
  | { readonly verdict: "allowed" }
  | {
      readonly verdict: "forbidden";
      /** The records that forbid, as zone-file lines. */
      readonly records: readonly string[];
      /** What to publish (or change) so that this CA may issue, as a zone-file line. */
      readonly remedy: string;
      /** Customer-readable: the records found, where, why they forbid, and what to add. */
      readonly message: string;
    };

const CRITICAL_FLAG = 128;

/**
 * Tags a CA understands (RFC 8659 `issue`, `issuewild`, `iodef`; CA/B Forum `contactemail`,
 * `contactphone`; `issuevmc`, `issuemail`). Any other tag marked critical forbids issuance.
 */
const KNOWN_TAGS: ReadonlySet<string> = new Set([
  "issue",
  "issuewild",
  "iodef",
  "contactemail",
  "contactphone",
  "issuevmc",
  "issuemail",
]);

const LABEL = /^[a-z0-9](?:-*[a-z0-9])*$/i;

/**
 * How certflow's methods are named in `validationmethods`: a dns-cname delegation still ends in
 * a TXT record at `_acme-challenge.<name>` (dns-01); email has no RFC 8657 label.
 */
export function caaValidationMethodOf(method: ValidationMethod): CaaValidationMethod | undefined {
  switch (method) {
    case "dns-txt":
    case "dns-cname":
      return "dns-01";
    case "http-file":
      return "http-01";
    case "email":
      return undefined;
  }
}

const bare = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

/**
 * Where CAA is looked up for a name, in order (RFC 8659 section 3): the name itself (a
 * wildcard's base name), then each parent, ending with the TLD. None for an IP address: CAA
 * is about domain names.
 */
export function caaLookupNames(name: string): string[] {
  if (ipLiteralVersion(bare(name).replace(/^\[(.*)\]$/, "$1")) !== 0) return [];
  const labels = bare(name).replace(/^\*\./, "").split(".").filter(Boolean);
  return labels.map((_, index) => labels.slice(index).join("."));
}

export function isWildcardName(name: string): boolean {
  return name.trim().startsWith("*.");
}

/** A record as a zone-file line, e.g. `example.com. CAA 0 issue "letsencrypt.org"`. */
export function caaRecordText(foundAt: string, record: CaaRecord): string {
  return `${bare(foundAt)}. CAA ${record.flags} ${record.tag} "${record.value.replaceAll('"', '\\"')}"`;
}

export interface IssueValue {
  /** The issuer domain name, lower case; undefined when the record names none (`";"`). */
  readonly issuer: string | undefined;
  readonly parameters: ReadonlyMap<string, string>;
}

/**
 * Parses an `issue`/`issuewild` value (RFC 8659 section 4.2): `[issuer] [; tag=value]*`.
 * undefined when it does not follow the grammar: such a record authorizes no CA.
 */
export function parseIssueValue(value: string): IssueValue | undefined {
  const [issuerPart = "", ...parameterParts] = value.split(";");
  const issuerText = bare(issuerPart);
  if (issuerText !== "" && !issuerText.split(".").every((label) => LABEL.test(label))) {
    return undefined;
  }
  const parameters = new Map<string, string>();
  for (const [index, part] of parameterParts.entries()) {
    const trimmed = part.trim();
    // A trailing ";" (or "issuer;") leaves an empty last part.
    if (trimmed === "" && index === parameterParts.length - 1) continue;
    const equals = trimmed.indexOf("=");
    if (equals <= 0) return undefined;
    const tag = trimmed.slice(0, equals).trim();
    const parameterValue = trimmed.slice(equals + 1).trim();
    if (!LABEL.test(tag) || !/^[\x21-\x3a\x3c-\x7e]*$/.test(parameterValue)) return undefined;
    parameters.set(tag.toLowerCase(), parameterValue);
  }
  return { issuer: issuerText === "" ? undefined : issuerText, parameters };
}

export interface CaaQuestion {
  /** The order's name, `*.` included for a wildcard. */
  readonly name: string;
  /** The relevant RRset, or undefined when no CAA was found up to the TLD. */
  readonly rrset: CaaRrset | undefined;
  readonly identity: CaaIdentity;
  /** The order's validation method. */
  readonly method: ValidationMethod;
}

/** Why a record that names this CA still does not let it issue (RFC 8657). */
type Restriction =
  | { readonly kind: "account"; readonly accountUri: string }
  | { readonly kind: "methods"; readonly methods: readonly string[] };

function restrictionOf(
  parameters: ReadonlyMap<string, string>,
  identity: CaaIdentity,
  method: CaaValidationMethod | undefined,
): Restriction | undefined {
  const accountUri = parameters.get("accounturi");
  if (accountUri !== undefined && accountUri !== identity.accountUri) {
    return { kind: "account", accountUri };
  }
  const methods = parameters.get("validationmethods");
  if (methods !== undefined) {
    const allowed = methods
      .split(",")
      .map((label) => label.trim().toLowerCase())
      .filter(Boolean);
    if (method === undefined || !allowed.includes(method)) {
      return { kind: "methods", methods: allowed };
    }
  }
  return undefined;
}

const listRecords = (records: readonly string[]) =>
  records.length === 1 ? records[0] : records.join(", ");

/** Judges whether the CA with `identity` may issue for `name` by the records found. */
export function caaVerdict(question: CaaQuestion): CaaVerdict {
  const { rrset, identity } = question;
  if (rrset === undefined || rrset.records.length === 0) return { verdict: "allowed" };
  const at = bare(rrset.foundAt);
  const name = bare(question.name);
  const wildcard = isWildcardName(question.name);
  const text = (record: CaaRecord) => caaRecordText(at, record);
  const tagOf = (record: CaaRecord) => record.tag.toLowerCase();

  const unknownCritical = rrset.records.filter(
    (record) => (record.flags & CRITICAL_FLAG) !== 0 && !KNOWN_TAGS.has(tagOf(record)),
  );
  const [firstCritical] = unknownCritical;
  if (firstCritical !== undefined) {
    const found = unknownCritical.map(text);
    return {
      verdict: "forbidden",
      records: found,
      remedy: caaRecordText(at, { ...firstCritical, flags: firstCritical.flags & ~CRITICAL_FLAG }),
      message:
        `CAA at ${at} forbids every CA from issuing for ${name}: ${listRecords(found)} ` +
        `${found.length === 1 ? "is" : "are"} marked critical (flag 128) with a tag no CA knows ` +
        `(${[...new Set(unknownCritical.map((record) => record.tag))].join(", ")}). Remove ` +
        `${found.length === 1 ? "it" : "them"} or clear the critical flag (0 instead of 128), then order again.`,
    };
  }

  const issueWild = rrset.records.filter((record) => tagOf(record) === "issuewild");
  const useWild = wildcard && issueWild.length > 0;
  const tag = useWild ? "issuewild" : "issue";
  const relevant = useWild
    ? issueWild
    : rrset.records.filter((record) => tagOf(record) === "issue");
  // No issue (or, for a wildcard, issuewild) property: CAA says nothing about issuing.
  if (relevant.length === 0) return { verdict: "allowed" };

  const identities = identity.identities.map(bare);
  const method = caaValidationMethodOf(question.method);
  let restriction: Restriction | undefined;
  for (const record of relevant) {
    const parsed = parseIssueValue(record.value);
    if (parsed?.issuer === undefined || !identities.includes(parsed.issuer)) continue;
    const restricted = restrictionOf(parsed.parameters, identity, method);
    if (restricted === undefined) return { verdict: "allowed" };
    restriction ??= restricted;
  }

  const found = relevant.map(text);
  const ours = identities[0];
  const holds = `CAA at ${at} (for ${name}) holds ${listRecords(found)}`;
  const again = "then order again.";
  if (ours === undefined) {
    return {
      verdict: "forbidden",
      records: found,
      remedy: "",
      message: `${holds}, and this service does not know the CAA domain of its CA, so it cannot tell whether the CA may issue. Contact support with the order id.`,
    };
  }
  const wildNote = useWild ? " (for a wildcard name the issuewild records count, not issue)" : "";
  if (restriction?.kind === "account") {
    const remedy = caaRecordText(at, {
      flags: 0,
      tag,
      value: `${ours}; accounturi=${identity.accountUri ?? ""}`,
    });
    return {
      verdict: "forbidden",
      records: found,
      remedy,
      message:
        identity.accountUri === undefined
          ? `${holds}${wildNote}: it lets ${ours} issue only to the ACME account ${restriction.accountUri}, and this CA issues without ACME accounts. Add ${caaRecordText(at, { flags: 0, tag, value: ours })} (keeping the records of CAs you still use), ${again}`
          : `${holds}${wildNote}: it lets ${ours} issue only to the ACME account ${restriction.accountUri}, not to this service's account ${identity.accountUri}. Add ${remedy} (keeping the records of CAs you still use), ${again}`,
    };
  }
  if (restriction?.kind === "methods") {
    const label = method ?? "email";
    const remedy = caaRecordText(at, {
      flags: 0,
      tag,
      value: `${ours}; validationmethods=${[...restriction.methods, label].join(",")}`,
    });
    return {
      verdict: "forbidden",
      records: found,
      remedy,
      message: `${holds}${wildNote}: it lets ${ours} issue only after validation by ${restriction.methods.join(", ") || "no method"}, and this order validates by ${label}. Order with a method it allows, or change the record to ${remedy}, ${again}`,
    };
  }
  const remedy = caaRecordText(at, { flags: 0, tag, value: ours });
  return {
    verdict: "forbidden",
    records: found,
    remedy,
    message: `${holds}${wildNote}, which does not allow ${ours} to issue. Add ${remedy} (keeping the records of CAs you still use), ${again}`,
  };
}
