/** How a fetched validation file compares with the content the customer was asked to publish. */
export type FileContentMatch = "equal" | "trailing-whitespace" | "different";

export function compareFileContent(found: string, expected: string): FileContentMatch {
  if (found === expected) return "equal";
  if (found.startsWith(expected) && /^\s+$/.test(found.slice(expected.length))) {
    return "trailing-whitespace";
  }
  return "different";
}

/** DNS names compare case-insensitively, with or without the root's trailing dot. */
export function sameDnsName(a: string, b: string): boolean {
  const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");
  return normalize(a) === normalize(b);
}

/**
 * Shows found text to a customer: quoted, control characters escaped, cut at `maxChars`
 * characters (whole code points) with an ellipsis.
 */
export function quoteFound(text: string, maxChars = 80): string {
  const codePoints = Array.from(text);
  const shown = codePoints.slice(0, maxChars).join("");
  return `${JSON.stringify(shown)}${codePoints.length > maxChars ? "…" : ""}`;
}

/** Up to `max` quoted values, then how many more there were. */
export function listFound(values: readonly string[], max = 3): string {
  const shown = values.slice(0, max).map((value) => quoteFound(value));
  const more = values.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}
