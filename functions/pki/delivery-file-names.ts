/**
 * The base of every delivered file's name, from the certificate's common name: lower case,
 * "*" spelled "wildcard", and anything outside [a-z0-9.-] replaced by "_".
 */
export function deliveryBaseName(commonName: string): string {
  const base = commonName
    .toLowerCase()
    .replaceAll("*", "wildcard")
    .replace(/[^a-z0-9.-]/g, "_");
  return base === "" ? "certificate" : base;
}
