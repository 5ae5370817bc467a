export type ProblemCode =
  | "DOMAINS_EMPTY"
  | "TOO_MANY_NAMES"
  | "NAME_COUNT_MISMATCH"
  | "NAME_EMPTY"
  | "NAME_INVALID_CHARACTERS"
  | "NAME_TOO_LONG"
  | "LABEL_TOO_LONG"
  | "LABEL_EMPTY"
  | "LABEL_HYPHEN"
  | "WILDCARD_POSITION"
  | "IP_ADDRESS"
  | "SINGLE_LABEL"
  | "RESERVED_NAME"
  | "PUBLIC_SUFFIX"
  | "DUPLICATE_NAME"
  | "WILDCARD_NEEDS_DNS"
  | "APPROVER_REQUIRED"
  | "APPROVER_NOT_ALLOWED"
  | "APPROVER_UNEXPECTED"
  | "EMAIL_VALIDATION_DEPRECATED"
  | "EMAIL_VALIDATION_RETIRED"
  | "VALIDITY_INVALID"
  | "VALIDITY_TOO_LONG"
  | "ORGANIZATION_REQUIRED"
  | "ORGANIZATION_NOT_ALLOWED"
  | "COUNTRY_INVALID"
  | "EV_WILDCARD"
  | "KEY_AND_CSR"
  | "CONTACT_EMAIL_INVALID";

/** One reason an order is refused (or a warning), worded for the customer. */
export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly field?: string;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: Problem[] }
  | { readonly ok: false; readonly problems: Problem[] };

export class RuleViolation extends Error {
  override readonly name = "RuleViolation";
  readonly problems: readonly Problem[];
  readonly code: ProblemCode | undefined;

  constructor(problems: readonly Problem[]) {
    super(problems.map((problem) => problem.message).join(" "));
    this.problems = problems;
    this.code = problems[0]?.code;
  }
}
