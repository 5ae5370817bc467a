import type { Name, Pkcs10CertificateRequest } from "@peculiar/x509";
import type { KeyType } from "../domain/key-types.ts";
import { type CsrDefect, listForPeople } from "./csr-defects.ts";
import { describeSpki, formatKeyDescription, type PublicKeyDescription } from "./key-pairs.ts";
import { parsePemBlocks, pemTextOf, toArrayBuffer } from "./pem.ts";
import { signatureAlgorithmName, signatureAlgorithmOf } from "./signature-algorithms.ts";
import { checkSignature, readSignedWithKey, type SignedData } from "./signed-data.ts";
import { type X509Library, x509Library } from "./x509-library.ts";

export type { CsrDefect, CsrDefectCode } from "./csr-defects.ts";

export interface CsrSummary {
  readonly commonName?: string;
  /** Every domain name the CSR asks for: the CN, then the subjectAltName DNS names (lowercase). */
  readonly names: string[];
  /** subjectAltName entries that are not DNS names, e.g. "ip:192.0.2.1". */
  readonly otherNames: string[];
  /** Attribute → value (values of a repeated attribute joined by ", "). */
  readonly subject: Record<string, string>;
  /** The subject as text, in the order it is encoded, e.g. "C=DE, O=Example, CN=example.com". */
  readonly subjectText: string;
  /** How many RDNs the subject has (one per attribute unless some are multi-valued). */
  readonly subjectRdnCount: number;
  readonly keyType?: KeyType;
  readonly key: PublicKeyDescription;
  readonly signatureAlgorithm: string;
}

export interface CsrVerification {
  readonly ok: boolean;
  readonly defects: CsrDefect[];
  /** Absent only when the CSR could not be read at all. */
  readonly summary?: CsrSummary;
}

const CSR_LABELS = ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"];
const SAN_OID = "2.5.29.17";
const ACCEPTED_HASHES = new Set(["sha256", "sha384", "sha512"]);
const RSA_SIZES = [2048, 3072, 4096];

type Read = { der: Uint8Array } | { problem: string };

function readCsrDer(input: string | Uint8Array): Read {
  const text = typeof input === "string" ? input : pemTextOf(input);
  if (text === undefined) return { der: input as Uint8Array };
  const blocks = parsePemBlocks(text);
  const csr = blocks.find((block) => CSR_LABELS.includes(block.label));
  if (csr !== undefined) return { der: csr.der };
  const [other] = blocks;
  if (other === undefined) {
    return {
      problem:
        "This is not a CSR: paste the whole request, from -----BEGIN CERTIFICATE REQUEST----- to -----END CERTIFICATE REQUEST-----.",
    };
  }
  if (other.label.includes("PRIVATE KEY")) {
    return {
      problem:
        "This is a private key, not a CSR. Keep the private key secret and send the certificate request (CSR) made with it instead.",
    };
  }
  return { problem: `This is a ${other.label}, not a certificate request (CSR).` };
}

const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

function subjectOf(name: Name): Pick<CsrSummary, "subject" | "subjectText" | "subjectRdnCount"> {
  const rdns = name.toJSON();
  const subject: Record<string, string> = {};
  for (const rdn of rdns) {
    for (const [type, values] of Object.entries(rdn)) {
      subject[type] = [subject[type], ...values].filter((value) => value !== undefined).join(", ");
    }
  }
  return { subject, subjectText: name.toString(), subjectRdnCount: rdns.length };
}

function alternativeNames(
  { SubjectAlternativeNameExtension }: X509Library,
  csr: Pkcs10CertificateRequest,
): { dns: string[]; other: string[] } {
  let extension: ReturnType<Pkcs10CertificateRequest["getExtension"]>;
  try {
    extension = csr.getExtension(SAN_OID);
  } catch {
    // A CSR without its attributes field has no extensions.
    return { dns: [], other: [] };
  }
  if (extension === null) return { dns: [], other: [] };
  const items = new SubjectAlternativeNameExtension(extension.rawData).names.items;
  return {
    dns: items.filter((item) => item.type === "dns").map((item) => normalize(item.value)),
    other: items.filter((item) => item.type !== "dns").map((item) => `${item.type}:${item.value}`),
  };
}

function keyDefects(key: PublicKeyDescription | undefined): CsrDefect[] {
  const accepted = "use an RSA (2048, 3072 or 4096 bits) or EC (P-256 or P-384) key";
  if (key === undefined) {
    return [
      {
        code: "KEY_ALGORITHM_UNSUPPORTED",
        message: `The CSR's public key could not be read; ${accepted}.`,
      },
    ];
  }
  const described = formatKeyDescription(key);
  if (key.algorithm === "RSA") {
    const bits = key.bits ?? 0;
    if (bits < 2048) {
      return [
        {
          code: "KEY_TOO_SMALL",
          message: `The CSR's key is ${described}; RSA keys need at least 2048 bits. Create a new key and CSR.`,
        },
      ];
    }
    if (bits > 4096) {
      return [
        {
          code: "KEY_TOO_LARGE",
          message: `The CSR's key is ${described}; RSA keys may have at most 4096 bits (CAs refuse larger ones, and they slow every TLS handshake). Create a new key and CSR.`,
        },
      ];
    }
    if (!RSA_SIZES.includes(bits)) {
      return [
        {
          code: "KEY_SIZE_UNSUPPORTED",
          message: `The CSR's key is ${described}; RSA keys must have 2048, 3072 or 4096 bits.`,
        },
      ];
    }
    return [];
  }
  if (key.keyType !== undefined) return [];
  return [
    {
      code: "KEY_ALGORITHM_UNSUPPORTED",
      message: `The CSR's key is ${described}, which is not accepted; ${accepted}.`,
    },
  ];
}

function signatureDefects(
  signed: SignedData,
  spki: Uint8Array,
  key: PublicKeyDescription | undefined,
): CsrDefect[] {
  const defects: CsrDefect[] = [];
  const name = signatureAlgorithmName(signed.signatureAlgorithmOid);
  const algorithm = signatureAlgorithmOf(signed.signatureAlgorithmOid);
  const keySupported = key?.keyType !== undefined || key?.algorithm === "RSA";
  if (algorithm === undefined) {
    defects.push({
      code: "SIGNATURE_ALGORITHM_UNSUPPORTED",
      message: `The CSR is signed with ${name}, which cannot be checked here; sign it with SHA-256 (RSA PKCS#1 v1.5 or ECDSA).`,
    });
    return defects;
  }
  if (algorithm.weak) {
    defects.push({
      code: "WEAK_SIGNATURE_HASH",
      message: `The CSR is signed with ${name}; ${algorithm.hash === "md5" ? "MD5" : "SHA-1"} is broken and CAs refuse it. Sign the CSR with SHA-256 (for example openssl req -sha256).`,
    });
  } else if (keySupported && !ACCEPTED_HASHES.has(algorithm.hash ?? "")) {
    defects.push({
      code: "SIGNATURE_ALGORITHM_UNSUPPORTED",
      message: `The CSR is signed with ${name}, which is not accepted; sign it with SHA-256, SHA-384 or SHA-512.`,
    });
  }
  if (checkSignature(signed, spki) !== "valid") {
    defects.push({
      code: "SIGNATURE_INVALID",
      message:
        "The CSR's signature does not match its contents and key: it was changed after it was signed, or is damaged. Create it again and upload it unchanged.",
    });
  }
  return defects;
}

function nameDefects(
  commonName: string | undefined,
  names: readonly string[],
  otherNames: readonly string[],
  expectedNames: readonly string[] | undefined,
): CsrDefect[] {
  if (expectedNames === undefined) {
    return names.length === 0
      ? [
          {
            code: "NO_NAMES",
            message:
              "The CSR names no domain: it has neither a common name (CN) nor subjectAltName DNS names.",
          },
        ]
      : [];
  }
  const defects: CsrDefect[] = [];
  const expected = [...new Set(expectedNames.map(normalize))];
  const present = new Set(names);
  const missing = expected.filter((name) => !present.has(name));
  if (missing.length > 0) {
    defects.push({
      code: "NAME_MISSING",
      message: `The CSR does not include ${listForPeople(missing)}, which the order covers. Create a CSR that lists every name of the order.`,
      names: missing,
    });
  }
  const notOrdered = [...names, ...otherNames].filter((name) => !expected.includes(name));
  if (notOrdered.length > 0) {
    defects.push({
      code: "NAME_NOT_ORDERED",
      message: `The CSR includes ${listForPeople(notOrdered)}, which the order does not cover. Remove ${notOrdered.length === 1 ? "it" : "them"} from the CSR or add ${notOrdered.length === 1 ? "it" : "them"} to the order.`,
      names: notOrdered,
    });
  }
  const [first] = expected;
  if (commonName !== undefined && normalize(commonName) !== first) {
    defects.push({
      code: "COMMON_NAME_MISMATCH",
      message: `The CSR's common name (CN) is ${commonName}, but the order's first name is ${first ?? "missing"}. Use the order's first name as the CN, or leave the CN out.`,
      names: [commonName],
    });
  }
  return defects;
}

/**
 * Checks a CSR (PEM or DER) the way the order form's "Verify CSR" button does and lists every
 * defect: readable, a correct self-signature with a strong hash, an accepted key and, when the
 * order's names are given, exactly those names (compared as a set, case-insensitively; the CN may
 * be absent, and when present must be the order's first name).
 */
export async function verifyCsr(
  input: string | Uint8Array,
  expectedNames?: readonly string[],
): Promise<CsrVerification> {
  const read = readCsrDer(input);
  if ("problem" in read) {
    return { ok: false, defects: [{ code: "CSR_UNREADABLE", message: read.problem }] };
  }
  const x509 = await x509Library();
  let signed: SignedData;
  let spki: Uint8Array;
  let csr: Pkcs10CertificateRequest;
  let subject: ReturnType<typeof subjectOf>;
  let commonName: string | undefined;
  try {
    ({ signed, spki } = readSignedWithKey(read.der, "csr"));
    csr = new x509.Pkcs10CertificateRequest(toArrayBuffer(read.der));
    subject = subjectOf(csr.subjectName);
    commonName = csr.subjectName.getField("CN")[0];
  } catch {
    return {
      ok: false,
      defects: [
        {
          code: "CSR_UNREADABLE",
          message:
            "The CSR could not be decoded: it is truncated or damaged, or not a PKCS#10 request. Upload the complete file unchanged.",
        },
      ],
    };
  }
  let key: PublicKeyDescription | undefined;
  try {
    key = describeSpki(spki);
  } catch {
    key = undefined;
  }
  const alternative = alternativeNames(x509, csr);
  const names = [
    ...new Set([...(commonName === undefined ? [] : [normalize(commonName)]), ...alternative.dns]),
  ];
  const defects = [
    ...keyDefects(key),
    ...signatureDefects(signed, spki, key),
    ...nameDefects(commonName, names, alternative.other, expectedNames),
  ];
  return {
    ok: defects.length === 0,
    defects,
    summary: {
      commonName,
      names,
      otherNames: alternative.other,
      ...subject,
      keyType: key?.keyType,
      key: key ?? { algorithm: "unknown" },
      signatureAlgorithm: signatureAlgorithmName(signed.signatureAlgorithmOid),
    },
  };
}
