/** Finds any of the needles (or PEM private-key blocks) in a haystack; returns what leaked. */
export function findSecrets(haystack: string, needles: readonly string[]): string[] {
  const leaks: string[] = [];
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(haystack)) leaks.push("a PEM private key block");
  for (const needle of needles) {
    if (needle.length >= 8 && haystack.includes(needle)) leaks.push(`${needle.slice(0, 6)}…`);
  }
  return leaks;
}

/** The base64 body lines of a PEM block, each long enough to be a meaningful needle. */
export function pemBodyLines(pem: string): string[] {
  return pem.split("\n").filter((line) => line.length >= 40 && !line.startsWith("-----"));
}
