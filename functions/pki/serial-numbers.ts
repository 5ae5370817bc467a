/**
 * A certificate serial number's hex as revocation lists compare them: lowercase, without
 * leading zeros, in whole bytes ("0ABC", "abc" and "000abc" are one serial). No imports, so the
 * CA adapter reads it without loading the PKI code.
 */
export function normalSerialHex(hex: string): string {
  if (!/^[0-9a-f]+$/i.test(hex)) throw new Error(`'${hex}' is not a serial number in hex.`);
  const digits = hex.toLowerCase().replace(/^0+/, "") || "0";
  return digits.length % 2 === 1 ? `0${digits}` : digits;
}
