import { domainToASCII, domainToUnicode } from "node:url";
import { parse } from "tldts";
import { ipLiteralVersion } from "./ip-literal.ts";
import type { Problem, Result } from "./problems.ts";

export interface DomainName {
  /** Lowercase, punycode, with `*.` for a wildcard: what goes into the CSR and the certificate. */
  readonly ascii: string;
  /** Unicode form, for people. */
  readonly display: string;
  readonly wildcard: boolean;
  /** `ascii` without a leading `*.`. */
  readonly base: string;
}

export type Issuer = "public" | "private";

export const MIN_NAMES = 1;
export const MAX_NAMES = 100;
const MAX_NAME_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;

/**
 * Special-use (RFC 6761, RFC 6762, RFC 8375, RFC 9476) and commonly internal names no public CA
 * issues for. Most are not delegated at all, but naming them gives the customer a clearer reason.
 */
const RESERVED_SUFFIXES = [
  "localhost",
  "localdomain",
  "local",
  "internal",
  "test",
  "example",
  "invalid",
  "alt",
  "home.arpa",
  "arpa",
  "corp",
  "lan",
  "home",
  "intranet",
  "private",
];

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Whitespace and control characters, which IDNA mapping would silently drop. */
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;
/** WHATWG URL parsing reads a host whose last label is a number as IPv4 ("127.1", "0x7f.1"). */
const NUMERIC_LABEL = /^(?:\d+|0x[0-9a-f]*)$/;

/**
 * Scripts a label's letters are told apart by. Digits, the hyphen and combining marks belong to
 * none (Common, Inherited); a letter of a script not listed counts as a script of its own.
 */
const SCRIPTS: readonly (readonly [string, RegExp])[] = [
  ["Latin", /\p{Script=Latin}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Devanagari", /\p{Script=Devanagari}/u],
  ["Bengali", /\p{Script=Bengali}/u],
  ["Tamil", /\p{Script=Tamil}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Hangul", /\p{Script=Hangul}/u],
  ["Hiragana", /\p{Script=Hiragana}/u],
  ["Katakana", /\p{Script=Katakana}/u],
  ["Han", /\p{Script=Han}/u],
  ["Bopomofo", /\p{Script=Bopomofo}/u],
  ["Ethiopic", /\p{Script=Ethiopic}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
];
const SCRIPTLESS = /[\p{Script=Common}\p{Script=Inherited}]/u;

/**
 * Script mixes that are ordinary writing (UTS #39 "highly restrictive"): Japanese, Chinese and
 * Korean names mix Han with kana, Bopomofo or Hangul, and any of them with Latin.
 */
const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/** The scripts of a Unicode label's letters. */
function scriptsOf(label: string): Set<string> {
  const scripts = new Set<string>();
  for (const character of label) {
    if (SCRIPTLESS.test(character)) continue;
    const script = SCRIPTS.find(([, pattern]) => pattern.test(character));
    scripts.add(script === undefined ? `U+${character.codePointAt(0)?.toString(16)}` : script[0]);
  }
  return scripts;
}

/** A label that mixes scripts (a Cyrillic 'а' among Latin letters) can pass for another name. */
function mixesScripts(unicodeLabel: string): string[] | undefined {
  const scripts = scriptsOf(unicodeLabel);
  if (scripts.size < 2) return undefined;
  const ordinary = ALLOWED_MIXES.some((mix) => [...scripts].every((script) => mix.has(script)));
  return ordinary ? undefined : [...scripts];
}

function problemAt(index: number, code: Problem["code"], message: string): Problem {
  return { code, message, field: `domains[${index}]` };
}

/** The Unicode form of an ASCII (punycode) name, label by label; `*` and plain labels stay. */
export function toDisplayName(ascii: string): string {
  return ascii
    .split(".")
    .map((label) => (label.startsWith("xn--") ? domainToUnicode(label) || label : label))
    .join(".");
}

function isIpLiteral(host: string): boolean {
  const unbracketed = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (ipLiteralVersion(unbracketed) !== 0) return true;
  const lastLabel = host.slice(host.lastIndexOf(".") + 1);
  return NUMERIC_LABEL.test(lastLabel);
}

/** An `xn--` label is valid only when it decodes and encodes back to itself. */
function isValidALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== "" && unicode !== label && domainToASCII(unicode) === label;
}

function isReserved(base: string): boolean {
  return RESERVED_SUFFIXES.some((suffix) => base === suffix || base.endsWith(`.${suffix}`));
}

function labelProblems(ascii: string, shown: string, index: number): Problem[] {
  const problems: Problem[] = [];
  for (const label of ascii.split(".")) {
    if (label === "") {
      problems.push(
        problemAt(index, "LABEL_EMPTY", `'${shown}' has an empty label (two dots in a row).`),
      );
    } else if (label.length > MAX_LABEL_OCTETS) {
      problems.push(
        problemAt(
          index,
          "LABEL_TOO_LONG",
          `'${shown}': the label '${label.slice(0, 20)}…' is ${label.length} characters long; a label may have at most ${MAX_LABEL_OCTETS}.`,
        ),
      );
    } else if (!LDH_LABEL.test(label)) {
      problems.push(
        /^[a-z0-9-]+$/.test(label)
          ? problemAt(
              index,
              "LABEL_HYPHEN",
              `'${shown}': the label '${label}' starts or ends with a hyphen, which is not allowed.`,
            )
          : problemAt(
              index,
              "NAME_INVALID_CHARACTERS",
              `'${shown}' may only contain letters, digits, hyphens and dots (the label '${label}' does not).`,
            ),
      );
    } else if (label.startsWith("xn--") && !isValidALabel(label)) {
      problems.push(
        problemAt(
          index,
          "IDN_INVALID",
          `'${shown}': the label '${label}' is not a valid internationalized (punycode) label.`,
        ),
      );
    } else if (label.startsWith("xn--")) {
      const unicode = domainToUnicode(label);
      const scripts = mixesScripts(unicode);
      if (scripts !== undefined) {
        problems.push(
          problemAt(
            index,
            "MIXED_SCRIPTS",
            `'${shown}': the label '${unicode}' mixes letters of different scripts (${scripts.join(", ")}), so it can pass for another name; write each label in one script.`,
          ),
        );
      }
    }
  }
  return problems;
}

/** The rules only a publicly trusted CA has; the first that applies is reported. */
function publicIssuerProblem(name: DomainName, shown: string, index: number): Problem | undefined {
  const base = name.base;
  if (isReserved(base)) {
    return problemAt(
      index,
      "RESERVED_NAME",
      `'${shown}' is a reserved or internal name; public CAs do not issue certificates for it.`,
    );
  }
  if (!name.wildcard && !base.includes(".")) {
    return problemAt(
      index,
      "SINGLE_LABEL",
      `The name '${shown}' has no dot; public CAs only issue for fully-qualified domain names.`,
    );
  }
  const suffixProblem = publicSuffixProblem(name, shown, index);
  if (suffixProblem !== undefined) return suffixProblem;
  const parsed = parse(base, { allowPrivateDomains: true });
  const knownSuffix = parsed.isIcann === true || parsed.isPrivate === true;
  if (!knownSuffix) {
    return problemAt(
      index,
      "UNKNOWN_TOP_LEVEL_DOMAIN",
      `'${shown}' does not end in a public top-level domain ('.${parsed.publicSuffix ?? base}' is not one); public CAs only issue for names in public DNS.`,
    );
  }
  return undefined;
}

/**
 * What no CA here issues for, private ones included: a public suffix (`co.uk`, `github.io`) is
 * shared by many owners, and so is every name a wildcard directly under one (`*.co.uk`, `*.com`)
 * covers. Names under no known suffix (`localhost`, `printer.local`) are a private CA's to issue,
 * and so is a single-label host name (`server1`, `app`) even where a top-level domain of that name
 * exists: intranets used those names before the new top-level domains, and such a certificate
 * covers that one host name only. (Public CAs refuse single labels anyway.)
 */
function publicSuffixProblem(name: DomainName, shown: string, index: number): Problem | undefined {
  if (!name.wildcard && !name.base.includes(".")) return undefined;
  const parsed = parse(name.base, { allowPrivateDomains: true });
  const knownSuffix = parsed.isIcann === true || parsed.isPrivate === true;
  if (!knownSuffix || parsed.publicSuffix !== name.base) return undefined;
  return problemAt(
    index,
    "PUBLIC_SUFFIX",
    name.wildcard
      ? `'${shown}' is a wildcard directly under a public suffix (like 'co.uk' or 'github.io'), which would cover names of many owners; order a name registered under it.`
      : `'${shown}' is a public suffix (like 'co.uk' or 'github.io') that many owners share; order a name registered under it.`,
  );
}

/** Checks one name; returns the normalized name or the problems it has. */
function normalizeOne(raw: string, index: number, issuer: Issuer): DomainName | Problem[] {
  const shown = raw.trim();
  let text = shown.toLowerCase();
  if (text.endsWith(".")) text = text.slice(0, -1);
  if (text === "") return [problemAt(index, "NAME_EMPTY", `Name ${index + 1} is empty.`)];
  const ipProblem = problemAt(
    index,
    "IP_ADDRESS",
    `'${shown}' is (or reads as) an IP address; certificates here cover domain names only.`,
  );
  if (isIpLiteral(text)) return [ipProblem];

  const wildcard = text.startsWith("*.");
  const rest = wildcard ? text.slice(2) : text;
  if (rest.includes("*")) {
    return [
      problemAt(
        index,
        "WILDCARD_POSITION",
        `'${shown}': a wildcard must be the whole left-most label of a name, as in '*.example.com'.`,
      ),
    ];
  }
  const base = PRINTABLE_ASCII.test(rest) ? rest : domainToASCII(rest);
  if (base === "" || SPACE_OR_CONTROL.test(rest)) {
    return [
      problemAt(
        index,
        "NAME_INVALID_CHARACTERS",
        `'${shown}' is not a valid domain name: it contains characters no domain name can have.`,
      ),
    ];
  }
  // Unicode input can map onto an address ("１２７.０.０.１" is 127.0.0.1).
  if (isIpLiteral(base)) return [ipProblem];

  const problems = labelProblems(base, shown, index);
  const ascii = wildcard ? `*.${base}` : base;
  if (ascii.length > MAX_NAME_OCTETS) {
    problems.push(
      problemAt(
        index,
        "NAME_TOO_LONG",
        `'${shown}' is ${ascii.length} characters long (in punycode); a name may have at most ${MAX_NAME_OCTETS}.`,
      ),
    );
  }
  if (problems.length > 0) return problems;

  const name: DomainName = { ascii, display: toDisplayName(ascii), wildcard, base };
  const refusal =
    issuer === "public"
      ? publicIssuerProblem(name, shown, index)
      : publicSuffixProblem(name, shown, index);
  return refusal === undefined ? name : [refusal];
}

function purchasedNamesProblems(purchasedNames: number | undefined, entered: number): Problem[] {
  if (purchasedNames === undefined) return [];
  if (
    !Number.isInteger(purchasedNames) ||
    purchasedNames < MIN_NAMES ||
    purchasedNames > MAX_NAMES
  ) {
    return [
      {
        code: "PURCHASED_NAMES_INVALID",
        message: `purchasedNames must be a whole number from ${MIN_NAMES} to ${MAX_NAMES}.`,
        field: "purchasedNames",
      },
    ];
  }
  if (entered === purchasedNames) return [];
  return [
    {
      code: "NAME_COUNT_MISMATCH",
      message: `This order was purchased for ${purchasedNames} name${purchasedNames === 1 ? "" : "s"}; enter all ${purchasedNames}, one per entry (${entered} different name${entered === 1 ? " was" : "s were"} entered).`,
      field: "domains",
    },
  ];
}

/**
 * Normalizes the names of an order (trim, lowercase, one trailing dot dropped, punycode), checks
 * every rule and collects every problem. Duplicates (after normalization) are dropped, keeping
 * the first, and reported as DUPLICATE_NAME warnings. The first name is the common name.
 */
export function normalizeDomainNames(
  input: readonly string[],
  options: { issuer: Issuer; purchasedNames?: number },
): Result<DomainName[]> {
  if (input.length === 0) {
    return {
      ok: false,
      problems: [
        {
          code: "DOMAINS_EMPTY",
          message: "Enter at least one domain name to protect.",
          field: "domains",
        },
      ],
    };
  }
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const names: DomainName[] = [];
  const seen = new Set<string>();
  let entered = 0;
  input.forEach((raw, index) => {
    const result = normalizeOne(raw, index, options.issuer);
    if (Array.isArray(result)) {
      entered += 1;
      problems.push(...result);
      return;
    }
    if (seen.has(result.ascii)) {
      warnings.push(
        problemAt(
          index,
          "DUPLICATE_NAME",
          `'${raw.trim()}' is listed more than once (as '${result.display}'); it is kept once.`,
        ),
      );
      return;
    }
    entered += 1;
    seen.add(result.ascii);
    names.push(result);
  });
  if (entered > MAX_NAMES) {
    problems.push({
      code: "TOO_MANY_NAMES",
      message: `An order covers at most ${MAX_NAMES} names; this one has ${entered}. Split the names over several orders.`,
      field: "domains",
    });
  }
  problems.push(...purchasedNamesProblems(options.purchasedNames, entered));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: names, warnings };
}

/** The name that becomes the certificate's common name: the first one the customer entered. */
export function commonNameOf(names: readonly DomainName[]): DomainName | undefined {
  return names[0];
}
