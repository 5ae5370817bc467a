import { createHash } from "node:crypto";
import type { X509Certificate } from "@peculiar/x509";
import { readCertificateFields } from "./certificate-fields.ts";
import { describeSpki, type PublicKeyDescription } from "./key-pairs.ts";
import { parsePemBlocks, pemTextOf, toArrayBuffer } from "./pem.ts";
import { signatureAlgorithmName } from "./signature-algorithms.ts";
import { readSignedData, subjectPublicKeyInfoOf } from "./signed-data.ts";
import { x509Library } from "./x509-library.ts";

export interface CertificateInfo {
  /** Lowercase hex without a leading zero byte. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Distinguished names in the order they are encoded, e.g. "C=DE, O=Example, CN=example.com". */
  readonly subject: string;
  readonly issuer: string;
  readonly commonName?: string;
  /** The subjectAltName DNS names, lowercase. */
  readonly names: string[];
  /** Uppercase hex pairs joined by colons, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly sha256Fingerprint: string;
  readonly isCa: boolean;
  readonly pathLength?: number;
  readonly publicKey: PublicKeyDescription;
  readonly signatureAlgorithm: string;
  readonly keyUsages: string[];
  readonly extendedKeyUsages: string[];
  /** Lowercase hex. */
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
}

/** The DER of a certificate given as DER or PEM (the first CERTIFICATE block); throws otherwise. */
export function certificateDer(input: string | Uint8Array): Uint8Array {
  const text = typeof input === "string" ? input : pemTextOf(input);
  if (text === undefined) return input as Uint8Array;
  const blocks = parsePemBlocks(text);
  const block = blocks.find((candidate) => candidate.label === "CERTIFICATE");
  if (block !== undefined) return block.der;
  const other = blocks[0]?.label;
  throw new Error(
    other === undefined
      ? "No PEM certificate found (-----BEGIN CERTIFICATE-----)."
      : `This is a ${other}, not a CERTIFICATE.`,
  );
}

/** The certificate as @peculiar/x509 holds it (loaded on first use: see x509-library.ts). */
export async function loadCertificate(input: string | Uint8Array): Promise<X509Certificate> {
  const { X509Certificate } = await x509Library();
  return new X509Certificate(toArrayBuffer(certificateDer(input)));
}

export function sha256Fingerprint(der: Uint8Array): string {
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return (hex.match(/../g) ?? []).join(":");
}

/** RFC 5280's key usage bits, in order: bit n is flag 2^n. */
const KEY_USAGE_NAMES: [number, string][] = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
].map((name, bit) => [2 ** bit, name]);

const EXTENDED_KEY_USAGE_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  "1.3.6.1.5.5.7.3.4": "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  "1.3.6.1.5.5.7.3.9": "OCSPSigning",
};

export function parseCertificate(input: string | Uint8Array): CertificateInfo {
  const der = certificateDer(input);
  const signed = readSignedData(der);
  const certificate = readCertificateFields(der);
  let publicKey: PublicKeyDescription;
  try {
    publicKey = describeSpki(subjectPublicKeyInfoOf(signed, "certificate"));
  } catch {
    publicKey = { algorithm: "unknown" };
  }
  return {
    serialNumber: certificate.serialNumberHex.toLowerCase().replace(/^(00)+(?=.)/, ""),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    issuer: certificate.issuer,
    commonName: certificate.subjectCommonNames[0],
    names: certificate.dnsNames.map((name) => name.toLowerCase()),
    sha256Fingerprint: sha256Fingerprint(der),
    isCa: certificate.basicConstraints?.ca ?? false,
    pathLength: certificate.basicConstraints?.pathLength,
    publicKey,
    signatureAlgorithm: signatureAlgorithmName(signed.signatureAlgorithmOid),
    keyUsages: KEY_USAGE_NAMES.filter(([flag]) => ((certificate.keyUsage ?? 0) & flag) !== 0).map(
      ([, name]) => name,
    ),
    extendedKeyUsages: (certificate.extendedKeyUsages ?? []).map(
      (usage) => EXTENDED_KEY_USAGE_NAMES[usage] ?? usage,
    ),
    subjectKeyId: certificate.subjectKeyId,
    authorityKeyId: certificate.authorityKeyId,
  };
}
