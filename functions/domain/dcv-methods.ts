import { getDomain } from "tldts";
import type { DomainName } from "./domain-names.ts";
import type { Problem, Result } from "./problems.ts";

export const VALIDATION_METHODS = ["http-file", "dns-txt", "dns-cname", "email"] as const;

export type ValidationMethod = (typeof VALIDATION_METHODS)[number];

export const APPROVER_MAILBOXES = [
  "admin",
  "administrator",
  "webmaster",
  "hostmaster",
  "postmaster",
];

/** Baseline Requirements 3.2.2.4.4: email DCV SHOULD NOT be used from here on… */
export const EMAIL_DCV_DEPRECATED_FROM = new Date("2026-03-15T00:00:00Z");
/** …and MUST NOT from here on. */
export const EMAIL_DCV_RETIRED_FROM = new Date("2028-03-15T00:00:00Z");

export function isDnsMethod(method: ValidationMethod): boolean {
  return method === "dns-txt" || method === "dns-cname";
}

/**
 * The constructed approver addresses for a name: each mailbox at the name and at every parent
 * up to the registrable domain, most specific first.
 */
export function approverEmails(name: string): string[] {
  const base = name.replace(/^\*\./, "").toLowerCase();
  const registrable = getDomain(base, { allowPrivateDomains: true }) ?? base;
  const domains: string[] = [];
  let current = base;
  for (;;) {
    domains.push(current);
    if (current === registrable || !current.includes(".")) break;
    current = current.slice(current.indexOf(".") + 1);
  }
  return domains.flatMap((domain) => APPROVER_MAILBOXES.map((mailbox) => `${mailbox}@${domain}`));
}

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
          message: `'${name.display}' is a wildcard; only a DNS method (dns-txt or dns-cname) can validate it.`,
          field: `domains[${index}]`,
        });
      }
    }
  }
  if (method === "email") {
    if (options.validationDate >= EMAIL_DCV_RETIRED_FROM) {
      problems.push({
        code: "EMAIL_VALIDATION_RETIRED",
        message:
          "Email validation is no longer allowed for validations from 2028-03-15; use a DNS or file method.",
        field: "validation.method",
      });
    } else if (options.validationDate >= EMAIL_DCV_DEPRECATED_FROM) {
      warnings.push({
        code: "EMAIL_VALIDATION_DEPRECATED",
        message:
          "Email validation is deprecated by the Baseline Requirements and ends on 2028-03-15; prefer a DNS method.",
        field: "validation.method",
      });
    }
    const approver = options.approverEmail?.trim().toLowerCase();
    if (approver === undefined || approver === "") {
      problems.push({
        code: "APPROVER_REQUIRED",
        message:
          "Email validation needs validation.approverEmail (for example admin@ your domain).",
        field: "validation.approverEmail",
      });
    } else {
      const refused = names.filter((name) => !approverEmails(name.ascii).includes(approver));
      if (refused.length > 0) {
        problems.push({
          code: "APPROVER_NOT_ALLOWED",
          message: `${approver} cannot approve ${refused.map((name) => name.display).join(", ")}; pick an address from GET /v1/domains/{domain}/approver-emails, or use a DNS or file method.`,
          field: "validation.approverEmail",
        });
      }
    }
  } else if (options.approverEmail !== undefined) {
    problems.push({
      code: "APPROVER_UNEXPECTED",
      message: "validation.approverEmail is only used with the email method.",
      field: "validation.approverEmail",
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: undefined, warnings };
}
