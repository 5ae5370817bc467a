import { ariCertId } from "../domain/renewal-information.ts";
import { readCertificateFields } from "./certificate-fields.ts";
import { certificateDer } from "./certificate-info.ts";

/**
 * The DER content of a positive serial number from its hex as certificate-fields reads it: that
 * drops exactly the sign byte 00 a DER INTEGER carries before a first byte above 0x7f, so it is
 * put back here (RFC 9773 §4.1 keeps it: serial 0x87654321 is "AIdlQyE").
 */
export function serialNumberContent(serialNumberHex: string): Uint8Array {
  const even = serialNumberHex.length % 2 === 0 ? serialNumberHex : `0${serialNumberHex}`;
  const bytes = Buffer.from(even, "hex");
  return (bytes[0] ?? 0) > 0x7f ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

/**
 * The certificate's ARI CertID (RFC 9773 §4.1), by which an ACME CA knows it for renewal
 * information and `replaces`; undefined for a certificate without an authority key identifier.
 */
export function ariCertIdOf(certificate: string | Uint8Array): string | undefined {
  const fields = readCertificateFields(certificateDer(certificate));
  if (fields.authorityKeyId === undefined || fields.authorityKeyId === "") return undefined;
  return ariCertId(
    Buffer.from(fields.authorityKeyId, "hex"),
    serialNumberContent(fields.serialNumberHex),
  );
}
