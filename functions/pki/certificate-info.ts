import "reflect-metadata";
import { createHash } from "node:crypto";
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
} from "@peculiar/x509";
import { describeSpki, type PublicKeyDescription } from "./key-pairs.ts";
import { parsePemBlocks, pemTextOf, toArrayBuffer } from "./pem.ts";
import { signatureAlgorithmName } from "./signature-algorithms.ts";
import { readSignedData, subjectPublicKeyInfoOf } from "./signed-data.ts";

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

export function loadCertificate(input: string | Uint8Array): X509Certificate {
  return new X509Certificate(toArrayBuffer(certificateDer(input)));
}

export function sha256Fingerprint(der: Uint8Array): string {
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return (hex.match(/../g) ?? []).join(":");
}

const KEY_USAGE_NAMES: [KeyUsageFlags, string][] = [
  [KeyUsageFlags.digitalSignature, "digitalSignature"],
  [KeyUsageFlags.nonRepudiation, "nonRepudiation"],
  [KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [KeyUsageFlags.keyAgreement, "keyAgreement"],
  [KeyUsageFlags.keyCertSign, "keyCertSign"],
  [KeyUsageFlags.cRLSign, "cRLSign"],
  [KeyUsageFlags.encipherOnly, "encipherOnly"],
  [KeyUsageFlags.decipherOnly, "decipherOnly"],
];

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
  const certificate = new X509Certificate(toArrayBuffer(der));
  const san = certificate.getExtension(SubjectAlternativeNameExtension);
  const basicConstraints = certificate.getExtension(BasicConstraintsExtension);
  const keyUsage = certificate.getExtension(KeyUsagesExtension);
  const extendedKeyUsage = certificate.getExtension(ExtendedKeyUsageExtension);
  let publicKey: PublicKeyDescription;
  try {
    publicKey = describeSpki(subjectPublicKeyInfoOf(signed, "certificate"));
  } catch {
    publicKey = { algorithm: "unknown" };
  }
  return {
    serialNumber: certificate.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ""),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    issuer: certificate.issuer,
    commonName: certificate.subjectName.getField("CN")[0],
    names:
      san?.names.items
        .filter((name) => name.type === "dns")
        .map((name) => name.value.toLowerCase()) ?? [],
    sha256Fingerprint: sha256Fingerprint(der),
    isCa: basicConstraints?.ca ?? false,
    pathLength: basicConstraints?.pathLength,
    publicKey,
    signatureAlgorithm: signatureAlgorithmName(signed.signatureAlgorithmOid),
    keyUsages: KEY_USAGE_NAMES.filter(([flag]) => ((keyUsage?.usages ?? 0) & flag) !== 0).map(
      ([, name]) => name,
    ),
    extendedKeyUsages: [...(extendedKeyUsage?.usages ?? [])].map(
      (usage) => EXTENDED_KEY_USAGE_NAMES[String(usage)] ?? String(usage),
    ),
    subjectKeyId: certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId.toLowerCase(),
    authorityKeyId: certificate.getExtension(AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase(),
  };
}
