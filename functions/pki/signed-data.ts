import { createPublicKey, verify } from "node:crypto";
import * as asn1js from "asn1js";
import { signatureAlgorithmOf } from "./signature-algorithms.ts";

/**
 * The three parts every signed X.509 structure (certificate, CSR, CRL) shares:
 * SEQUENCE { toBeSigned, signatureAlgorithm, signature BIT STRING }.
 */
export interface SignedData {
  /** The exact DER that was signed. */
  readonly tbs: Uint8Array;
  /** The DER of each element of the signed part, in order. */
  readonly tbsFields: readonly Uint8Array[];
  readonly signatureAlgorithmOid: string;
  readonly signature: Uint8Array;
}

/** Splits a DER certificate or CSR into its signed part and signature; throws when malformed. */
export function readSignedData(der: Uint8Array): SignedData {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) {
    throw new Error("The data is not a single well-formed DER structure.");
  }
  const outer = parsed.result;
  const [tbs, algorithm, signature] =
    outer instanceof asn1js.Sequence ? outer.valueBlock.value : [];
  const oid = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  if (
    !(outer instanceof asn1js.Sequence) ||
    outer.valueBlock.value.length !== 3 ||
    !(tbs instanceof asn1js.Sequence) ||
    !(oid instanceof asn1js.ObjectIdentifier) ||
    !(signature instanceof asn1js.BitString)
  ) {
    throw new Error("The data is not a signed X.509 structure.");
  }
  return {
    tbs: new Uint8Array(tbs.valueBeforeDecodeView),
    tbsFields: tbs.valueBlock.value.map((field) => new Uint8Array(field.valueBeforeDecodeView)),
    signatureAlgorithmOid: oid.valueBlock.toString(),
    signature: new Uint8Array(signature.valueBlock.valueHexView),
  };
}

/** The subject's SubjectPublicKeyInfo (DER) inside a certificate or a CSR. */
export function subjectPublicKeyInfoOf(
  signed: SignedData,
  kind: "certificate" | "csr",
): Uint8Array {
  // CSR: version, subject, spki, attributes. Certificate: [0] version (optional), serial,
  // signature, issuer, validity, subject, spki, …
  const hasVersion = signed.tbsFields[0]?.[0] === 0xa0;
  const index = kind === "csr" ? 2 : hasVersion ? 6 : 5;
  const spki = signed.tbsFields[index];
  if (spki === undefined) throw new Error(`The ${kind} has no public key.`);
  return spki;
}

/** The signed parts of a DER certificate or CSR and its subject's key; throws when malformed. */
export function readSignedWithKey(
  der: Uint8Array,
  kind: "certificate" | "csr",
): { signed: SignedData; spki: Uint8Array } {
  const signed = readSignedData(der);
  return { signed, spki: subjectPublicKeyInfoOf(signed, kind) };
}

export type SignatureCheck = "valid" | "invalid" | "unverifiable";

/**
 * Checks the signature with the signer's SubjectPublicKeyInfo (the subject's own for a CSR or a
 * self-signed certificate). Uses node:crypto, which, unlike WebCrypto, also verifies the weak
 * and foreign algorithms a customer's CSR may carry, so every defect can be reported.
 */
export function checkSignature(signed: SignedData, signerSpki: Uint8Array): SignatureCheck {
  const algorithm = signatureAlgorithmOf(signed.signatureAlgorithmOid);
  if (algorithm === undefined) return "unverifiable";
  try {
    const key = createPublicKey({ key: Buffer.from(signerSpki), format: "der", type: "spki" });
    const keyAlgorithm =
      key.asymmetricKeyType === "ec" ? "EC" : key.asymmetricKeyType?.toUpperCase();
    if (keyAlgorithm !== algorithm.keyAlgorithm) return "invalid";
    return verify(algorithm.hash ?? null, signed.tbs, key, signed.signature) ? "valid" : "invalid";
  } catch {
    return "invalid";
  }
}
