import { domainToASCII } from "node:url";
import { getDomain } from "tldts";
import type { DomainName } from "./domain-names.ts";
import type { Problem, Result } from "./problems.ts";

export const VALIDATION_METHODS = ["http-file", "dns-txt", "dns-cname", "email"] as const;

export type ValidationMethod = (typeof VALIDATION_METHODS)[number];

/** Baseline Requirements 3.2.2.4.4: the only mailboxes an approver address may be built from. */
export const APPROVER_MAILBOXES = [
  "admin",
  "administrator",
  "webmaster",
  "hostmaster",
  "postmaster",
] as const;

/** Baseline Requirements 3.2.2.4.4: email DCV SHOULD NOT be used from here on… */
export const EMAIL_DCV_DEPRECATED_FROM = new Date("2026-03-15T00:00:00Z");
/** …and MUST NOT from here on. */
export const EMAIL_DCV_RETIRED_FROM = new Date("2028-03-15T00:00:00Z");

const NON_EMAIL_METHODS = "dns-txt, dns-cname or http-file";

export function isValidationMethod(value: string): value is ValidationMethod {
  return (VALIDATION_METHODS as readonly string[]).includes(value);
}

export function isDnsMethod(method: ValidationMethod): boolean {
  return method === "dns-txt" || method === "dns-cname";
}

function registrableDomainOf(base: string): string {
  return getDomain(base, { allowPrivateDomains: true }) ?? base;
}

/** The name and each parent of it up to the registrable domain, most specific first. */
function approverDomains(name: string): string[] {
  const stripped = name.trim().toLowerCase().replace(/^\*\./, "");
  const base = /^[\x20-\x7e]*$/.test(stripped) ? stripped : domainToASCII(stripped) || stripped;
  const registrable = registrableDomainOf(base);
  const domains: string[] = [];
  let current = base;
  for (;;) {
    domains.push(current);
    if (current === registrable || !current.includes(".")) return domains;
    current = current.slice(current.indexOf(".") + 1);
  }
}

/**
 * The constructed approver addresses for a name: each mailbox at the name (wildcard stripped)
 * and at every parent up to and including the registrable domain, most specific first.
 */
export function approverEmails(name: string): string[] {
  return approverDomains(name).flatMap((domain) =>
    APPROVER_MAILBOXES.map((mailbox) => `${mailbox}@${domain}`),
  );
}

/** Lowercase, with the domain part in punycode so `admin@bücher.de` matches its ASCII form. */
export function normalizeApproverEmail(address: string): string {
  const text = address.trim().toLowerCase();
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const domain = text.slice(at + 1);
  return `${text.slice(0, at)}@${domainToASCII(domain) || domain}`;
}

function approverProblem(names: readonly DomainName[], approver: string): Problem | undefined {
  const refused = names.filter((name) => !approverEmails(name.ascii).includes(approver));
  if (refused.length === 0) return undefined;
  const field = "validation.approverEmail";
  const registrable = [...new Set(names.map((name) => registrableDomainOf(name.base)))];
  if (registrable.length > 1) {
    return {
      code: "APPROVER_NOT_ALLOWED",
      message: `The names belong to ${registrable.length} different registered domains (${registrable.join(", ")}), so no single approver address can approve them all; use ${NON_EMAIL_METHODS}, or one order per domain.`,
      field,
    };
  }
  const common = names
    .map((name) => approverEmails(name.ascii))
    .reduce((kept, emails) => kept.filter((email) => emails.includes(email)));
  return {
    code: "APPROVER_NOT_ALLOWED",
    message: `${approver} cannot approve ${refused.map((name) => name.display).join(", ")}; choose one of ${common.join(", ")}, or use ${NON_EMAIL_METHODS}.`,
    field,
  };
}

function emailProblems(
  names: readonly DomainName[],
  options: { validationDate: Date; approverEmail?: string },
): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (options.validationDate >= EMAIL_DCV_RETIRED_FROM) {
    problems.push({
      code: "EMAIL_VALIDATION_RETIRED",
      message: `Email validation is not allowed for validations on or after 2028-03-15 (CA/Browser Forum Baseline Requirements); use ${NON_EMAIL_METHODS}.`,
      field: "validation.method",
    });
  } else if (options.validationDate >= EMAIL_DCV_DEPRECATED_FROM) {
    warnings.push({
      code: "EMAIL_VALIDATION_DEPRECATED",
      message:
        "Email validation is deprecated by the CA/Browser Forum Baseline Requirements and ends on 2028-03-15; prefer a DNS method, which renewals can reuse.",
      field: "validation.method",
    });
  }
  const approver = normalizeApproverEmail(options.approverEmail ?? "");
  if (approver === "") {
    problems.push({
      code: "APPROVER_REQUIRED",
      message:
        "Email validation needs validation.approverEmail, such as admin@ or hostmaster@ at your domain.",
      field: "validation.approverEmail",
    });
  } else if (names.length > 0) {
    const refusal = approverProblem(names, approver);
    if (refusal !== undefined) problems.push(refusal);
  }
  return { problems, warnings };
}

/**
 * Whether `method` can validate every name of an order. Wildcards need a DNS method; email needs
 * one constructed approver address valid for every name, is deprecated from 2026-03-15 (warning)
 * and refused for validations on or after 2028-03-15.
 */
export function checkValidationMethod(
  names: readonly DomainName[],
  method: ValidationMethod,
  options: { validationDate: Date; approverEmail?: string },
): Result<void> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (!isDnsMethod(method)) {
    for (const [index, name] of names.entries()) {
      if (name.wildcard) {
        problems.push({
          code: "WILDCARD_NEEDS_DNS",
          message: `'${name.display}' is a wildcard name; ${method} cannot validate it, only dns-txt or dns-cname can.`,
          field: `domains[${index}]`,
        });
      }
    }
  }
  if (method === "email") {
    const email = emailProblems(names, options);
    problems.push(...email.problems);
    warnings.push(...email.warnings);
  } else if (options.approverEmail !== undefined) {
    problems.push({
      code: "APPROVER_UNEXPECTED",
      message: `validation.approverEmail is only used with the email method, not with ${method}; leave it out.`,
      field: "validation.approverEmail",
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: undefined, warnings };
}
