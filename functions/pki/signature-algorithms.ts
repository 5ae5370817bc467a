export type SignatureHash = "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512";

export interface SignatureAlgorithm {
  /** The name openssl prints. */
  readonly name: string;
  /** The key algorithm it signs with, as `describeSpki` names it. */
  readonly keyAlgorithm: "RSA" | "EC" | "ED25519" | "ED448" | "DSA";
  /** Undefined for algorithms that hash internally (EdDSA). */
  readonly hash?: SignatureHash;
  /** MD5 and SHA-1 are broken for signatures; CAs refuse them. */
  readonly weak: boolean;
}

const ALGORITHMS: Record<string, SignatureAlgorithm> = {
  "1.2.840.113549.1.1.4": {
    name: "md5WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "md5",
    weak: true,
  },
  "1.2.840.113549.1.1.5": {
    name: "sha1WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "sha1",
    weak: true,
  },
  "1.2.840.113549.1.1.14": {
    name: "sha224WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "sha224",
    weak: false,
  },
  "1.2.840.113549.1.1.11": {
    name: "sha256WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "sha256",
    weak: false,
  },
  "1.2.840.113549.1.1.12": {
    name: "sha384WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "sha384",
    weak: false,
  },
  "1.2.840.113549.1.1.13": {
    name: "sha512WithRSAEncryption",
    keyAlgorithm: "RSA",
    hash: "sha512",
    weak: false,
  },
  "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", keyAlgorithm: "EC", hash: "sha1", weak: true },
  "1.2.840.10045.4.3.1": {
    name: "ecdsa-with-SHA224",
    keyAlgorithm: "EC",
    hash: "sha224",
    weak: false,
  },
  "1.2.840.10045.4.3.2": {
    name: "ecdsa-with-SHA256",
    keyAlgorithm: "EC",
    hash: "sha256",
    weak: false,
  },
  "1.2.840.10045.4.3.3": {
    name: "ecdsa-with-SHA384",
    keyAlgorithm: "EC",
    hash: "sha384",
    weak: false,
  },
  "1.2.840.10045.4.3.4": {
    name: "ecdsa-with-SHA512",
    keyAlgorithm: "EC",
    hash: "sha512",
    weak: false,
  },
  "1.3.101.112": { name: "ED25519", keyAlgorithm: "ED25519", weak: false },
  "1.3.101.113": { name: "ED448", keyAlgorithm: "ED448", weak: false },
  "1.2.840.10040.4.3": { name: "dsaWithSHA1", keyAlgorithm: "DSA", hash: "sha1", weak: true },
  "2.16.840.1.101.3.4.3.2": {
    name: "dsa_with_SHA256",
    keyAlgorithm: "DSA",
    hash: "sha256",
    weak: false,
  },
};

/** Names that are known but which this service cannot verify (their parameters vary). */
const UNVERIFIABLE: Record<string, string> = {
  "1.2.840.113549.1.1.10": "rsassaPss",
};

/** The signature algorithm with this OID, or undefined when it is not one that can be checked. */
export function signatureAlgorithmOf(oid: string): SignatureAlgorithm | undefined {
  return ALGORITHMS[oid];
}

/** A readable name for any signature algorithm OID (the OID itself when unknown). */
export function signatureAlgorithmName(oid: string): string {
  return ALGORITHMS[oid]?.name ?? UNVERIFIABLE[oid] ?? oid;
}
