/** Stable codes of the reasons an order is refused or warned about; clients may branch on them. */
export type ProblemCode =
  | "DOMAINS_EMPTY"
  | "TOO_MANY_NAMES"
  | "PURCHASED_NAMES_INVALID"
  | "NAME_COUNT_MISMATCH"
  | "NAME_EMPTY"
  | "NAME_INVALID_CHARACTERS"
  | "NAME_TOO_LONG"
  | "LABEL_TOO_LONG"
  | "LABEL_EMPTY"
  | "LABEL_HYPHEN"
  | "IDN_INVALID"
  | "WILDCARD_POSITION"
  | "IP_ADDRESS"
  | "SINGLE_LABEL"
  | "RESERVED_NAME"
  | "UNKNOWN_TOP_LEVEL_DOMAIN"
  | "PUBLIC_SUFFIX"
  | "MIXED_SCRIPTS"
  | "DUPLICATE_NAME"
  | "WILDCARD_NEEDS_DNS"
  | "APPROVER_REQUIRED"
  | "APPROVER_NOT_ALLOWED"
  | "APPROVER_UNEXPECTED"
  | "APPROVER_MISSING"
  | "APPROVER_FOR_UNKNOWN_NAME"
  | "APPROVERS_BOTH"
  | "EMAIL_VALIDATION_DEPRECATED"
  | "EMAIL_VALIDATION_RETIRED"
  | "VALIDITY_INVALID"
  | "VALIDITY_TOO_LONG"
  | "ORGANIZATION_REQUIRED"
  | "ORGANIZATION_NOT_ALLOWED"
  | "ORGANIZATION_INCOMPLETE"
  | "COUNTRY_INVALID"
  | "ORGANIZATION_FIELD_TOO_LONG"
  | "EV_DETAILS_REQUIRED"
  | "EV_DETAILS_NOT_ALLOWED"
  | "EV_DETAILS_INCOMPLETE"
  | "EV_FIELD_TOO_LONG"
  | "JURISDICTION_COUNTRY_INVALID"
  | "BUSINESS_CATEGORY_INVALID"
  | "REGISTRATION_NUMBER_INVALID"
  | "EV_WILDCARD"
  | "KEY_AND_CSR"
  | "CONTACT_NAME_REQUIRED"
  | "CONTACT_EMAIL_INVALID"
  | "CONTACT_PHONE_REQUIRED";

/** One reason an order is refused (or a warning), worded for the customer. */
export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  /** Where in the request, e.g. `domains[2]` or `validation.approverEmail`. */
  readonly field?: string;
}

/** What validators return: every problem they found, not just the first. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: Problem[] }
  | { readonly ok: false; readonly problems: Problem[] };

export class RuleViolation extends Error {
  override readonly name = "RuleViolation";
  readonly problems: readonly Problem[];
  /** The code of the first problem. */
  readonly code: ProblemCode | undefined;

  constructor(problems: readonly Problem[]) {
    super(summarizeProblems(problems));
    this.problems = problems;
    this.code = problems[0]?.code;
  }
}

export function summarizeProblems(problems: readonly Problem[]): string {
  if (problems.length === 0) return "The request breaks a rule.";
  return problems.map((problem) => problem.message).join(" ");
}

/** The value of a successful result; a refused one is thrown as a RuleViolation. */
export function valueOrThrow<T>(result: Result<T>): T {
  if (!result.ok) throw new RuleViolation(result.problems);
  return result.value;
}
