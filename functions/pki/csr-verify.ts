import "reflect-metadata";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension } from "@peculiar/x509";
import type { KeyType } from "../domain/key-types.ts";
import { describeSpki, type PublicKeyDescription } from "./key-pairs.ts";
import { parsePemBlocks, toArrayBuffer } from "./pem.ts";

export type CsrDefectCode =
  | "CSR_UNREADABLE"
  | "SIGNATURE_INVALID"
  | "KEY_ALGORITHM_UNSUPPORTED"
  | "KEY_TOO_SMALL"
  | "KEY_TOO_LARGE"
  | "WEAK_SIGNATURE_HASH"
  | "NAME_MISSING"
  | "NAME_NOT_ORDERED"
  | "COMMON_NAME_MISMATCH";

export interface CsrDefect {
  readonly code: CsrDefectCode;
  readonly message: string;
}

export interface CsrSummary {
  readonly commonName?: string;
  readonly names: string[];
  readonly subject: string;
  readonly keyType?: KeyType;
  readonly key: PublicKeyDescription;
  readonly signatureAlgorithm: string;
}

export interface CsrVerification {
  readonly ok: boolean;
  readonly defects: CsrDefect[];
  readonly summary?: CsrSummary;
}

const SAN_OID = "2.5.29.17";
const SIGNATURE_ALGORITHMS: Record<string, { name: string; weak: boolean }> = {
  "1.2.840.113549.1.1.4": { name: "md5WithRSAEncryption", weak: true },
  "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", weak: true },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", weak: false },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", weak: false },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", weak: false },
  "1.2.840.113549.1.1.10": { name: "rsassa-pss", weak: false },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", weak: true },
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", weak: false },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", weak: false },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", weak: false },
  "1.3.101.112": { name: "Ed25519", weak: false },
};

function csrDer(input: string | Uint8Array): Uint8Array | undefined {
  if (typeof input !== "string") return input;
  const block = parsePemBlocks(input).find(
    (candidate) =>
      candidate.label === "CERTIFICATE REQUEST" || candidate.label === "NEW CERTIFICATE REQUEST",
  );
  return block?.der;
}

function unreadable(message: string): CsrVerification {
  return { ok: false, defects: [{ code: "CSR_UNREADABLE", message }] };
}

/**
 * Checks an uploaded CSR the way the "Verify CSR" button of an order form does, and lists every
 * defect: readable, self-signed correctly, an accepted key, a strong hash, and exactly the
 * order's names (when given).
 */
export async function verifyCsr(
  input: string | Uint8Array,
  expectedNames?: readonly string[],
): Promise<CsrVerification> {
  const der = csrDer(input);
  if (der === undefined || der.length === 0) {
    return unreadable(
      "This is not a CSR: expected a PEM block '-----BEGIN CERTIFICATE REQUEST-----' (or DER bytes).",
    );
  }
  let csr: Pkcs10CertificateRequest;
  let signatureOid: string;
  try {
    signatureOid = AsnConvert.parse(toArrayBuffer(der), CertificationRequest).signatureAlgorithm
      .algorithm;
    csr = new Pkcs10CertificateRequest(toArrayBuffer(der));
  } catch {
    return unreadable(
      "The CSR could not be decoded; it may be truncated or not a PKCS#10 request.",
    );
  }
  const defects: CsrDefect[] = [];
  const key = describeSpki(new Uint8Array(csr.publicKey.rawData));
  const signature = SIGNATURE_ALGORITHMS[signatureOid] ?? { name: signatureOid, weak: false };

  const supportedKey =
    key.algorithm === "RSA" ||
    (key.algorithm === "EC" && (key.curve === "P-256" || key.curve === "P-384"));
  if (!supportedKey) {
    defects.push({
      code: "KEY_ALGORITHM_UNSUPPORTED",
      message: `The CSR's key is ${key.algorithm === "EC" ? `EC ${key.curve}` : key.algorithm}; use RSA (2048-4096 bits) or EC P-256/P-384.`,
    });
  } else if (key.algorithm === "RSA" && (key.bits ?? 0) < 2048) {
    defects.push({
      code: "KEY_TOO_SMALL",
      message: `The CSR's RSA key has ${key.bits} bits; at least 2048 are required.`,
    });
  } else if (key.algorithm === "RSA" && (key.bits ?? 0) > 8192) {
    // Larger keys are legal but no CA signs them and clients choke; 8192 is the common limit.
    defects.push({
      code: "KEY_TOO_LARGE",
      message: `The CSR's RSA key has ${key.bits} bits; CAs accept at most 8192.`,
    });
  }
  if (signature.weak) {
    defects.push({
      code: "WEAK_SIGNATURE_HASH",
      message: `The CSR is signed with ${signature.name}; sign it with SHA-256 or stronger.`,
    });
  }
  let signatureValid = false;
  try {
    signatureValid = supportedKey && !signature.weak ? await csr.verify() : false;
  } catch {
    signatureValid = false;
  }
  if (supportedKey && !signature.weak && !signatureValid) {
    defects.push({
      code: "SIGNATURE_INVALID",
      message: "The CSR's signature does not match its key: it was altered or is corrupt.",
    });
  }

  const commonName = csr.subjectName.getField("CN")[0];
  const sanExtension = csr.getExtension(SAN_OID);
  const sanNames =
    sanExtension === null
      ? []
      : new SubjectAlternativeNameExtension(sanExtension.rawData).names.items
          .filter((name) => name.type === "dns")
          .map((name) => name.value.toLowerCase());
  const names = [
    ...new Set(
      sanNames.length > 0 ? sanNames : commonName === undefined ? [] : [commonName.toLowerCase()],
    ),
  ];

  if (expectedNames !== undefined) {
    const expected = expectedNames.map((name) => name.toLowerCase());
    const present = new Set([
      ...names,
      ...(commonName === undefined ? [] : [commonName.toLowerCase()]),
    ]);
    const missing = expected.filter((name) => !present.has(name));
    if (missing.length > 0) {
      defects.push({
        code: "NAME_MISSING",
        message: `The CSR does not contain ${missing.join(", ")}, which the order covers.`,
      });
    }
    const extra = names.filter((name) => !expected.includes(name));
    if (extra.length > 0) {
      defects.push({
        code: "NAME_NOT_ORDERED",
        message: `The CSR contains ${extra.join(", ")}, which the order does not cover.`,
      });
    }
    if (commonName !== undefined && commonName.toLowerCase() !== expected[0]) {
      defects.push({
        code: "COMMON_NAME_MISMATCH",
        message: `The CSR's common name is ${commonName}, but the order's first name is ${expected[0] ?? "missing"}.`,
      });
    }
  }
  return {
    ok: defects.length === 0,
    defects,
    summary: {
      commonName,
      names,
      subject: csr.subject,
      keyType: key.keyType,
      key,
      signatureAlgorithm: signature.name,
    },
  };
}
