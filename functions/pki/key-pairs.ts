import { createPublicKey, KeyObject } from "node:crypto";
import type { KeyType } from "../domain/key-types.ts";

const RSA_PUBLIC_EXPONENT = new Uint8Array([1, 0, 1]);

export function keyGenParamsFor(type: KeyType): RsaHashedKeyGenParams | EcKeyGenParams {
  switch (type) {
    case "EC-P256":
      return { name: "ECDSA", namedCurve: "P-256" };
    case "EC-P384":
      return { name: "ECDSA", namedCurve: "P-384" };
    case "RSA-2048":
    case "RSA-3072":
    case "RSA-4096":
      return {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: Number(type.slice("RSA-".length)),
        publicExponent: RSA_PUBLIC_EXPONENT,
        hash: "SHA-256",
      };
    default: {
      const unknownType: never = type;
      throw new Error(`Unknown key type ${String(unknownType)}.`);
    }
  }
}

/** A fresh, extractable key pair of the given type, for signing. */
export async function generateKeyPair(type: KeyType): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(keyGenParamsFor(type), true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export async function exportPrivateKeyPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("pkcs8", key));
}

/**
 * The algorithm CSRs and certificates are signed with for a key: ECDSA with the hash that
 * matches the curve (SHA-256 for P-256, SHA-384 for P-384); RSA keys carry SHA-256 themselves.
 */
export function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const algorithm = key.algorithm as EcKeyAlgorithm;
  if (algorithm.name === "ECDSA") {
    const hash = algorithm.namedCurve === "P-384" ? "SHA-384" : "SHA-256";
    return { name: "ECDSA", hash } as EcdsaParams;
  }
  return { name: algorithm.name };
}

export interface PublicKeyDescription {
  /** "RSA", "EC", or what else the key is ("ED25519", "DSA", …). */
  readonly algorithm: string;
  /** Set only for the key types this service offers. */
  readonly keyType?: KeyType;
  readonly bits?: number;
  readonly curve?: string;
}

const CURVES: Record<string, { curve: string; bits: number; keyType?: KeyType }> = {
  prime256v1: { curve: "P-256", bits: 256, keyType: "EC-P256" },
  secp384r1: { curve: "P-384", bits: 384, keyType: "EC-P384" },
  secp521r1: { curve: "P-521", bits: 521 },
};

const RSA_KEY_TYPES: Record<number, KeyType> = {
  2048: "RSA-2048",
  3072: "RSA-3072",
  4096: "RSA-4096",
};

function describeKeyObject(key: KeyObject): PublicKeyDescription {
  const type = key.asymmetricKeyType ?? "unknown";
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "rsa") {
    const bits = details.modulusLength;
    return {
      algorithm: "RSA",
      bits,
      keyType: bits === undefined ? undefined : RSA_KEY_TYPES[bits],
    };
  }
  if (type === "ec") {
    const named = CURVES[details.namedCurve ?? ""];
    if (named === undefined) return { algorithm: "EC", curve: details.namedCurve ?? "unknown" };
    return { algorithm: "EC", curve: named.curve, bits: named.bits, keyType: named.keyType };
  }
  return { algorithm: type.toUpperCase() };
}

/** What a SubjectPublicKeyInfo (DER) holds, whatever the algorithm, unsupported ones included. */
export function describeSpki(spki: Uint8Array): PublicKeyDescription {
  return describeKeyObject(
    createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }),
  );
}

/** Describes a WebCrypto key (public or private: a private key is described by its public half). */
export function describePublicKey(key: CryptoKey): PublicKeyDescription {
  return describeKeyObject(KeyObject.from(key));
}

/** "EC P-256", "RSA 2048 bits", "ED25519": for people. */
export function formatKeyDescription(description: PublicKeyDescription): string {
  if (description.algorithm === "RSA") return `RSA ${description.bits ?? "?"} bits`;
  if (description.algorithm === "EC") return `EC ${description.curve ?? "unknown curve"}`;
  return description.algorithm;
}
