/** How a fetched validation file compares with the content the customer was asked to publish. */
export type FileContentMatch = "equal" | "trailing-whitespace" | "different";

export function compareFileContent(found: string, expected: string): FileContentMatch {
  if (found === expected) return "equal";
  if (found.startsWith(expected) && /^\s+$/.test(found.slice(expected.length))) {
    return "trailing-whitespace";
  }
  return "different";
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/**
 * How fetched text differs from the expected text, for a customer, without repeating any of the
 * fetched text: the lengths and the first place they differ (characters are code points).
 */
export function describeDifference(found: string, expected: string, truncated = false): string {
  const got = Array.from(found);
  const want = Array.from(expected);
  if (got.length === 0) {
    return `the file is empty, and must hold the ${plural(want.length, "character")} given in the instructions`;
  }
  const length = truncated
    ? "it is more than 64 KiB long"
    : `it has ${plural(got.length, "character")}`;
  let index = 0;
  while (index < got.length && index < want.length && got[index] === want[index]) index += 1;
  let line = 1;
  let column = 1;
  for (const character of want.slice(0, index)) {
    if (character === "\n") {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  const place = `character ${index + 1} (line ${line}, column ${column})`;
  const where =
    index === want.length
      ? `it has the expected content followed by more, from ${place}`
      : index === got.length
        ? `it ends at ${place}, before the expected content does`
        : `it first differs at ${place}`;
  return `${length} where ${plural(want.length, "character")} are expected; ${where}`;
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
