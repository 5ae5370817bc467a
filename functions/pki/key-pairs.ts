import { createPublicKey } from "node:crypto";
import type { KeyType } from "../domain/key-types.ts";

type KeyGenParams = RsaHashedKeyGenParams | EcKeyGenParams;

const RSA_EXPONENT = new Uint8Array([1, 0, 1]);

export function keyGenParamsFor(type: KeyType): KeyGenParams {
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
        modulusLength: Number(type.slice(4)),
        publicExponent: RSA_EXPONENT,
        hash: "SHA-256",
      };
    default: {
      const unknownType: never = type;
      throw new Error(`Unknown key type ${String(unknownType)}`);
    }
  }
}

/** The signature algorithm a key of this algorithm signs CSRs and certificates with. */
export function signingAlgorithmFor(key: CryptoKey): Algorithm | EcdsaParams {
  const algorithm = key.algorithm as EcKeyAlgorithm;
  if (algorithm.name === "ECDSA") {
    return {
      name: "ECDSA",
      hash: algorithm.namedCurve === "P-384" ? "SHA-384" : "SHA-256",
    } as EcdsaParams;
  }
  return { name: "RSASSA-PKCS1-v1_5" };
}

export async function generateKeyPair(type: KeyType): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(keyGenParamsFor(type), true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

export async function exportPrivateKeyPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey("pkcs8", key));
}

export interface PublicKeyDescription {
  readonly algorithm: string;
  readonly keyType?: KeyType;
  readonly bits?: number;
  readonly curve?: string;
}

const CURVES: Record<string, { curve: string; keyType: KeyType }> = {
  prime256v1: { curve: "P-256", keyType: "EC-P256" },
  secp384r1: { curve: "P-384", keyType: "EC-P384" },
  secp521r1: { curve: "P-521", keyType: "EC-P256" },
};

/** What a SubjectPublicKeyInfo holds, whatever the algorithm (unsupported ones included). */
export function describeSpki(spki: Uint8Array): PublicKeyDescription {
  const key = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  const type = key.asymmetricKeyType ?? "unknown";
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "rsa") {
    const bits = details.modulusLength;
    const keyType =
      bits === 2048 || bits === 3072 || bits === 4096 ? (`RSA-${bits}` as KeyType) : undefined;
    return { algorithm: "RSA", bits, keyType };
  }
  if (type === "ec") {
    const named = CURVES[details.namedCurve ?? ""];
    const curve = named?.curve ?? details.namedCurve ?? "unknown";
    return {
      algorithm: "EC",
      curve,
      keyType: curve === "P-256" || curve === "P-384" ? named?.keyType : undefined,
      bits: curve === "P-256" ? 256 : curve === "P-384" ? 384 : curve === "P-521" ? 521 : undefined,
    };
  }
  return { algorithm: type.toUpperCase() };
}

export async function describePublicKey(key: CryptoKey): Promise<PublicKeyDescription> {
  return describeSpki(new Uint8Array(await crypto.subtle.exportKey("spki", key)));
}

export function formatKey(description: PublicKeyDescription): string {
  if (description.algorithm === "RSA") return `RSA ${description.bits ?? "?"} bits`;
  if (description.algorithm === "EC") return `EC ${description.curve ?? "?"}`;
  return description.algorithm;
}
