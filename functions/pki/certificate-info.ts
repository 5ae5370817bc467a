import "reflect-metadata";
import { createHash } from "node:crypto";
import {
  BasicConstraintsExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "@peculiar/x509";
import { describeSpki, type PublicKeyDescription } from "./key-pairs.ts";
import { findPemBlock, toArrayBuffer } from "./pem.ts";

export interface CertificateInfo {
  /** Lowercase hex without leading zero bytes. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: string;
  readonly issuer: string;
  readonly commonName?: string;
  readonly names: string[];
  /** Uppercase hex pairs joined by colons, as openssl prints it. */
  readonly sha256Fingerprint: string;
  readonly isCa: boolean;
  readonly publicKey: PublicKeyDescription;
}

export function certificateDer(input: string | Uint8Array): Uint8Array {
  if (typeof input !== "string") return input;
  const block = findPemBlock(input, "CERTIFICATE");
  if (block === undefined) throw new Error("No PEM CERTIFICATE block found.");
  return block.der;
}

export function loadCertificate(input: string | Uint8Array): X509Certificate {
  return new X509Certificate(toArrayBuffer(certificateDer(input)));
}

export function sha256Fingerprint(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)?.join(":") ?? "";
}

export function parseCertificate(input: string | Uint8Array): CertificateInfo {
  const der = certificateDer(input);
  const certificate = new X509Certificate(toArrayBuffer(der));
  const san = certificate.getExtension(SubjectAlternativeNameExtension);
  const names =
    san?.names.items
      .filter((name) => name.type === "dns")
      .map((name) => name.value.toLowerCase()) ?? [];
  const basicConstraints = certificate.getExtension(BasicConstraintsExtension);
  return {
    serialNumber: certificate.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ""),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    issuer: certificate.issuer,
    commonName: certificate.subjectName.getField("CN")[0],
    names,
    sha256Fingerprint: sha256Fingerprint(der),
    isCa: basicConstraints?.ca ?? false,
    publicKey: describeSpki(new Uint8Array(certificate.publicKey.rawData)),
  };
}
