import { isIP } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { parse } from "tldts";
import type { Problem, Result } from "./problems.ts";

export interface DomainName {
  /** Lowercase, punycode: what goes into the CSR and the certificate. */
  readonly ascii: string;
  /** Unicode form, for people. */
  readonly display: string;
  readonly wildcard: boolean;
  /** `ascii` without a leading `*.`. */
  readonly base: string;
}

export type Issuer = "public" | "private";

export const MAX_NAMES = 100;

/** Special-use and commonly internal top-level names no public CA issues for. */
const RESERVED_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "test",
  "example",
  "invalid",
  "home.arpa",
  "arpa",
  "onion",
  "corp",
  "lan",
  "home",
  "intranet",
  "private",
];

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function problem(code: Problem["code"], message: string, index: number): Problem {
  return { code, message, field: `domains[${index}]` };
}

export function toDisplayName(ascii: string): string {
  return ascii
    .split(".")
    .map((label) => (label.startsWith("xn--") ? domainToUnicode(label) || label : label))
    .join(".");
}

function isReserved(base: string): boolean {
  return RESERVED_SUFFIXES.some((suffix) => base === suffix || base.endsWith(`.${suffix}`));
}

/** Checks one name; returns the normalized name or the problems it has. */
function normalizeOne(raw: string, index: number, issuer: Issuer): DomainName | Problem[] {
  const shown = raw.trim();
  let text = shown.toLowerCase();
  if (text.endsWith(".")) text = text.slice(0, -1);
  if (text === "") return [problem("NAME_EMPTY", `Name ${index + 1} is empty.`, index)];
  const unbracketed = text.replace(/^\[|\]$/g, "");
  if (isIP(unbracketed) !== 0) {
    return [
      problem(
        "IP_ADDRESS",
        `'${shown}' is an IP address; certificates here cover domain names only.`,
        index,
      ),
    ];
  }
  const wildcard = text.startsWith("*.");
  const rest = wildcard ? text.slice(2) : text;
  if (rest.includes("*") || text === "*") {
    return [
      problem(
        "WILDCARD_POSITION",
        `'${shown}': a wildcard must be the whole left-most label, as in '*.example.com'.`,
        index,
      ),
    ];
  }
  const ascii = /^[\x00-\x7f]*$/.test(rest) ? rest : domainToASCII(rest);
  if (ascii === "") {
    return [problem("NAME_INVALID_CHARACTERS", `'${shown}' is not a valid domain name.`, index)];
  }
  const problems: Problem[] = [];
  const labels = ascii.split(".");
  for (const label of labels) {
    if (label === "") {
      problems.push(
        problem("LABEL_EMPTY", `'${shown}' has an empty label (two dots in a row).`, index),
      );
    } else if (label.length > 63) {
      problems.push(
        problem(
          "LABEL_TOO_LONG",
          `'${shown}': the label '${label.slice(0, 20)}…' is longer than 63 characters.`,
          index,
        ),
      );
    } else if (!LABEL.test(label)) {
      problems.push(
        label.startsWith("-") || label.endsWith("-")
          ? problem("LABEL_HYPHEN", `'${shown}': a label cannot start or end with a hyphen.`, index)
          : problem(
              "NAME_INVALID_CHARACTERS",
              `'${shown}' may only contain letters, digits, hyphens and dots.`,
              index,
            ),
      );
    }
  }
  const full = wildcard ? `*.${ascii}` : ascii;
  if (full.length > 253) {
    problems.push(problem("NAME_TOO_LONG", `'${shown}' is longer than 253 characters.`, index));
  }
  if (problems.length > 0) return problems;

  if (issuer === "public") {
    if (labels.length < 2) {
      return [
        problem(
          "SINGLE_LABEL",
          `'${shown}' has no dot; public CAs only issue for fully-qualified domain names.`,
          index,
        ),
      ];
    }
    if (isReserved(ascii)) {
      return [
        problem(
          "RESERVED_NAME",
          `'${shown}' is a reserved or internal name; public CAs do not issue for it.`,
          index,
        ),
      ];
    }
    const parsed = parse(ascii, { allowPrivateDomains: true });
    if (parsed.publicSuffix === ascii) {
      return [
        problem(
          "PUBLIC_SUFFIX",
          `'${shown}' is a public suffix (like 'co.uk'); order a name registered under it.`,
          index,
        ),
      ];
    }
    if (!parsed.isIcann && !parsed.isPrivate) {
      return [
        problem(
          "RESERVED_NAME",
          `'${shown}' is not under a public top-level domain; public CAs do not issue for it.`,
          index,
        ),
      ];
    }
  }
  return {
    ascii: full,
    display: wildcard ? `*.${toDisplayName(ascii)}` : toDisplayName(ascii),
    wildcard,
    base: ascii,
  };
}

/**
 * Normalizes the names of an order (trim, lowercase, punycode), checks every rule, and collects
 * every problem. Duplicates are dropped with a warning; the first name is the common name.
 */
export function normalizeDomainNames(
  input: readonly string[],
  options: { issuer: Issuer; purchasedNames?: number },
): Result<DomainName[]> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (input.length === 0) {
    return {
      ok: false,
      problems: [{ code: "DOMAINS_EMPTY", message: "Name at least one domain.", field: "domains" }],
    };
  }
  if (input.length > MAX_NAMES) {
    problems.push({
      code: "TOO_MANY_NAMES",
      message: `An order covers at most ${MAX_NAMES} names; this one has ${input.length}.`,
      field: "domains",
    });
  }
  const names: DomainName[] = [];
  const seen = new Set<string>();
  input.forEach((raw, index) => {
    const result = normalizeOne(raw, index, options.issuer);
    if (Array.isArray(result)) {
      problems.push(...result);
      return;
    }
    if (seen.has(result.ascii)) {
      warnings.push(
        problem("DUPLICATE_NAME", `'${raw.trim()}' is listed twice; it is kept once.`, index),
      );
      return;
    }
    seen.add(result.ascii);
    names.push(result);
  });
  if (
    options.purchasedNames !== undefined &&
    problems.length === 0 &&
    names.length !== options.purchasedNames
  ) {
    problems.push({
      code: "NAME_COUNT_MISMATCH",
      message: `This order was purchased for ${options.purchasedNames} names; enter all ${options.purchasedNames} (one per entry), not ${names.length}.`,
      field: "domains",
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: names, warnings };
}

export function commonNameOf(names: readonly DomainName[]): DomainName | undefined {
  return names[0];
}
