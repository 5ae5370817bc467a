import { domainToASCII } from "node:url";
import { getDomain } from "tldts";
import type { DomainName } from "./domain-names.ts";
import {
  EMAIL_DCV_DEPRECATED_FROM,
  EMAIL_DEPRECATION_WARNING,
  emailValidationProblem,
  NON_EMAIL_METHODS,
} from "./email-validation-dates.ts";
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
      message: `The names belong to ${registrable.length} different registered domains (${registrable.join(", ")}), so no single approver address can approve them all; give validation.approverEmails with one address per name, or use ${NON_EMAIL_METHODS}.`,
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

/** The name an `approverEmails` key means: its ASCII or display form, any case, wildcard or not. */
function nameForKey(names: readonly DomainName[], key: string): DomainName | undefined {
  const wanted = key.trim().toLowerCase();
  const ascii = /^[\x20-\x7e]*$/.test(wanted) ? wanted : domainToASCII(wanted) || wanted;
  return names.find(
    (name) =>
      name.ascii === ascii || name.display.toLowerCase() === wanted || name.ascii === `*.${ascii}`,
  );
}

function approverMapProblems(
  names: readonly DomainName[],
  byName: Readonly<Record<string, string>>,
): { problems: Problem[]; approvers: Record<string, string> } {
  const problems: Problem[] = [];
  const approvers: Record<string, string> = {};
  for (const [key, address] of Object.entries(byName)) {
    const field = `validation.approverEmails.${key}`;
    const name = nameForKey(names, key);
    if (name === undefined) {
      problems.push({
        code: "APPROVER_FOR_UNKNOWN_NAME",
        message: `validation.approverEmails names '${key}', which is not one of the order's names.`,
        field,
      });
      continue;
    }
    const approver = normalizeApproverEmail(address);
    const allowed = approverEmails(name.ascii);
    if (!allowed.includes(approver)) {
      problems.push({
        code: "APPROVER_NOT_ALLOWED",
        message: `${address} cannot approve ${name.display}; choose one of ${allowed.join(", ")}.`,
        field,
      });
      continue;
    }
    approvers[name.ascii] = approver;
  }
  for (const name of names) {
    if (
      approvers[name.ascii] === undefined &&
      !problems.some((p) => p.message.includes(name.display))
    ) {
      problems.push({
        code: "APPROVER_MISSING",
        message: `validation.approverEmails has no address for ${name.display}; choose one of ${approverEmails(name.ascii).join(", ")}.`,
        field: "validation.approverEmails",
      });
    }
  }
  return { problems, approvers };
}

export interface ApproverChoice {
  /** One address for every name. */
  readonly approverEmail?: string;
  /** One address per name (names in several registered domains). */
  readonly approverEmails?: Readonly<Record<string, string>>;
}

/**
 * Who approves each name of an email-validated order, by ASCII name: from one address valid for
 * every name, or one per name. Constructed addresses only (Baseline Requirements 3.2.2.4.4).
 */
export function resolveApprovers(
  names: readonly DomainName[],
  choice: ApproverChoice,
): Result<Record<string, string>> {
  if (choice.approverEmail !== undefined && choice.approverEmails !== undefined) {
    return {
      ok: false,
      problems: [
        {
          code: "APPROVERS_BOTH",
          message:
            "Give validation.approverEmail (one address for every name) or validation.approverEmails (one per name), not both.",
          field: "validation.approverEmails",
        },
      ],
    };
  }
  if (choice.approverEmails !== undefined) {
    const { problems, approvers } = approverMapProblems(names, choice.approverEmails);
    return problems.length > 0
      ? { ok: false, problems }
      : { ok: true, value: approvers, warnings: [] };
  }
  const approver = normalizeApproverEmail(choice.approverEmail ?? "");
  if (approver === "") {
    return {
      ok: false,
      problems: [
        {
          code: "APPROVER_REQUIRED",
          message:
            "Email validation needs validation.approverEmail, such as admin@ or hostmaster@ at your domain (GET /v1/domains/{domain}/approver-emails lists them).",
          field: "validation.approverEmail",
        },
      ],
    };
  }
  const refusal = names.length > 0 ? approverProblem(names, approver) : undefined;
  if (refusal !== undefined) return { ok: false, problems: [refusal] };
  return {
    ok: true,
    value: Object.fromEntries(names.map((name) => [name.ascii, approver])),
    warnings: [],
  };
}

function emailProblems(
  names: readonly DomainName[],
  options: { validationDate: Date } & ApproverChoice,
): { problems: Problem[]; warnings: Problem[]; approvers?: Record<string, string> } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const retired = emailValidationProblem(options.validationDate);
  if (retired !== undefined) problems.push(retired);
  else if (options.validationDate >= EMAIL_DCV_DEPRECATED_FROM) {
    warnings.push(EMAIL_DEPRECATION_WARNING);
  }
  const approvers = resolveApprovers(names, options);
  if (!approvers.ok) problems.push(...approvers.problems);
  return approvers.ok ? { problems, warnings, approvers: approvers.value } : { problems, warnings };
}

/**
 * Whether `method` can validate every name of an order. Wildcards need a DNS method; email needs
 * one constructed approver address valid for every name, is deprecated from 2026-03-15 (warning)
 * and refused for validations on or after 2028-03-15.
 */
export function checkValidationMethod(
  names: readonly DomainName[],
  method: ValidationMethod,
  options: { validationDate: Date } & ApproverChoice,
): Result<{ approvers?: Record<string, string> }> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  let approvers: Record<string, string> | undefined;
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
    approvers = email.approvers;
  } else if (options.approverEmail !== undefined || options.approverEmails !== undefined) {
    const field =
      options.approverEmail !== undefined
        ? "validation.approverEmail"
        : "validation.approverEmails";
    problems.push({
      code: "APPROVER_UNEXPECTED",
      message: `${field} is only used with the email method, not with ${method}; leave it out.`,
      field,
    });
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: approvers === undefined ? {} : { approvers }, warnings };
}
