/** Stable codes of what can be wrong with a CSR; API clients may branch on them. */
export const CSR_DEFECT_CODES = [
  "CSR_UNREADABLE",
  "SIGNATURE_INVALID",
  "SIGNATURE_ALGORITHM_UNSUPPORTED",
  "WEAK_SIGNATURE_HASH",
  "KEY_ALGORITHM_UNSUPPORTED",
  "KEY_TOO_SMALL",
  "KEY_TOO_LARGE",
  "KEY_SIZE_UNSUPPORTED",
  "NO_NAMES",
  "NAME_MISSING",
  "NAME_NOT_ORDERED",
  "COMMON_NAME_MISMATCH",
] as const;

export type CsrDefectCode = (typeof CSR_DEFECT_CODES)[number];

/** One thing wrong with a CSR, worded for the customer who made it. */
export interface CsrDefect {
  readonly code: CsrDefectCode;
  readonly message: string;
  /** For the name defects: the names concerned. */
  readonly names?: readonly string[];
}

/** "a", "a and b", "a, b and c". */
export function listForPeople(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
