import type { Problem } from "./problems.ts";

/*
 * The dates of Baseline Requirements 3.2.2.4.4 (email domain validation), apart from the rules
 * about names: those load the public suffix list, which functions that only look at dates need not.
 */

export const NON_EMAIL_METHODS = "dns-txt, dns-cname or http-file";

/** Baseline Requirements 3.2.2.4.4: email DCV SHOULD NOT be used from here on… */
export const EMAIL_DCV_DEPRECATED_FROM = new Date("2026-03-15T00:00:00Z");
/** …and MUST NOT from here on. */
export const EMAIL_DCV_RETIRED_FROM = new Date("2028-03-15T00:00:00Z");

/** Whether email validation may be used for a validation made at `date`. */
export function emailValidationProblem(date: Date): Problem | undefined {
  if (date < EMAIL_DCV_RETIRED_FROM) return undefined;
  return {
    code: "EMAIL_VALIDATION_RETIRED",
    message: `Email validation is not allowed for validations on or after 2028-03-15 (CA/Browser Forum Baseline Requirements); use ${NON_EMAIL_METHODS}.`,
    field: "validation.method",
  };
}

/** The warning every email-validated order carries while the method is deprecated. */
export const EMAIL_DEPRECATION_WARNING: Problem = {
  code: "EMAIL_VALIDATION_DEPRECATED",
  message:
    "Email validation is deprecated by the CA/Browser Forum Baseline Requirements and ends on 2028-03-15; prefer a DNS method, which renewals can reuse.",
  field: "validation.method",
};
