import {
  REVOCATION_REASON_CODES,
  REVOCATION_REASONS,
  type RevocationReason,
} from "../domain/revocation-reasons.ts";
import { loadCertificate } from "./certificate-info.ts";
import { authorityKeyId, type CaKeys } from "./certificate-signing.ts";
import { signingAlgorithmFor } from "./key-pairs.ts";
import { toArrayBuffer } from "./pem.ts";
import { normalSerialHex } from "./serial-numbers.ts";
import { x509Library } from "./x509-library.ts";

/** One certificate on a revocation list. */
export interface RevokedEntry {
  /** The certificate's serial number in hex (as certificate-fields.ts reads it). */
  readonly serialNumberHex: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
}

/** RFC 5280 5.2.3: the CRL number extension. */
export const CRL_NUMBER_OID = "2.5.29.20";

/** RFC 5280 allows CRL numbers of at most 20 octets. */
const MAX_CRL_NUMBER = 2n ** 159n - 1n;

/** The DER INTEGER of a non-negative number (a 00 byte before a set high bit). */
export function derInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new Error("A CRL number is never negative.");
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  const content = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
  if (content.length > 127) throw new Error("The integer is too long for a short DER length.");
  return Uint8Array.from([0x02, content.length, ...content]);
}

/**
 * An X.509 v2 CRL (RFC 5280 5.1) of the CA `issuer`, signed with its key: issuer = the CA's
 * subject, thisUpdate and nextUpdate, the CRL number and the authority key identifier (the CA's
 * subject key identifier), one entry per revoked serial with its revocation date and, except for
 * `unspecified`, its reason code (RFC 5280 5.3.1 and Baseline Requirements 7.2.2 leave the
 * reasonCode out rather than say unspecified). DER.
 */
export async function signRevocationList(input: {
  readonly issuer: CaKeys;
  readonly crlNumber: bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly RevokedEntry[];
}): Promise<Uint8Array<ArrayBuffer>> {
  if (!(input.nextUpdate.getTime() > input.thisUpdate.getTime())) {
    throw new Error("nextUpdate must be later than thisUpdate.");
  }
  if (input.crlNumber < 0n || input.crlNumber > MAX_CRL_NUMBER) {
    throw new Error("A CRL number is a non-negative integer of at most 20 octets.");
  }
  const serials = new Set<string>();
  for (const entry of input.entries) {
    if (!REVOCATION_REASONS.includes(entry.reason)) {
      throw new Error(`'${entry.reason}' is not a revocation reason.`);
    }
    const serial = normalSerialHex(entry.serialNumberHex);
    if (serials.has(serial)) throw new Error(`The serial ${serial} is listed twice.`);
    serials.add(serial);
  }
  const x509 = await x509Library();
  const issuer = await loadCertificate(input.issuer.certificatePem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.subjectName,
    thisUpdate: input.thisUpdate,
    nextUpdate: input.nextUpdate,
    signingKey: input.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(input.issuer.privateKey),
    extensions: [
      new x509.Extension(CRL_NUMBER_OID, false, toArrayBuffer(derInteger(input.crlNumber))),
      await authorityKeyId(x509, issuer),
    ],
    entries: input.entries.map((entry) => ({
      serialNumber: entry.serialNumberHex,
      revocationDate: entry.revokedAt,
      // 0 (unspecified) is left out by the generator, as the standards ask.
      reason: REVOCATION_REASON_CODES[entry.reason],
    })),
  });
  return new Uint8Array(crl.rawData);
}
