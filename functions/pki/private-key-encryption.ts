import { createPrivateKey, type KeyObject } from "node:crypto";
import * as asn1js from "asn1js";
import { CodedError } from "./coded-error.ts";
import { findPemBlock, toArrayBuffer } from "./pem.ts";

export type PrivateKeyDecryptionErrorCode = "WRONG_PASSPHRASE" | "NOT_ENCRYPTED_PRIVATE_KEY";

/** Why a stored key could not be read; the message never holds key material or passphrase. */
export class PrivateKeyDecryptionError extends CodedError<PrivateKeyDecryptionErrorCode> {
  override readonly name = "PrivateKeyDecryptionError";
}

const ENCRYPTED_LABEL = "ENCRYPTED PRIVATE KEY";

async function pkcs8Der(key: CryptoKey | Uint8Array): Promise<Uint8Array> {
  if (key instanceof Uint8Array) return key;
  return new Uint8Array(await crypto.subtle.exportKey("pkcs8", key));
}

function requirePassphrase(passphrase: string): void {
  if (passphrase.length === 0) throw new RangeError("The passphrase must not be empty.");
}

/**
 * Encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE KEY"): PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC,
 * which openssl reads with `-passin`.
 */
export async function encryptPrivateKey(
  key: CryptoKey | Uint8Array,
  passphrase: string,
): Promise<string> {
  requirePassphrase(passphrase);
  const keyObject = createPrivateKey({
    key: Buffer.from(await pkcs8Der(key)),
    format: "der",
    type: "pkcs8",
  });
  return keyObject
    .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
    .toString();
}

/** The key inside an encrypted PKCS#8 PEM, as DER and as unencrypted PKCS#8 PEM ("PRIVATE KEY"). */
export async function decryptPrivateKey(
  pem: string,
  passphrase: string,
): Promise<{ pkcs8: Uint8Array; pem: string }> {
  requirePassphrase(passphrase);
  const block = findPemBlock(pem, ENCRYPTED_LABEL);
  if (block === undefined || !isEncryptedPrivateKeyInfo(block.der)) {
    throw new PrivateKeyDecryptionError(
      "NOT_ENCRYPTED_PRIVATE_KEY",
      `No readable ${ENCRYPTED_LABEL} PEM block found; keys at rest must be encrypted PKCS#8.`,
    );
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({
      key: Buffer.from(block.der),
      format: "der",
      type: "pkcs8",
      passphrase,
    });
  } catch {
    // A wrong passphrase and damaged ciphertext look the same to PBES2: both fail to decrypt.
    throw new PrivateKeyDecryptionError(
      "WRONG_PASSPHRASE",
      "The private key could not be decrypted: wrong passphrase or damaged key.",
    );
  }
  return {
    pkcs8: new Uint8Array(keyObject.export({ type: "pkcs8", format: "der" })),
    pem: keyObject.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/**
 * EncryptedPrivateKeyInfo (RFC 5958): SEQUENCE { AlgorithmIdentifier SEQUENCE { OID, … },
 * encryptedData OCTET STRING }. Read with asn1js alone, so the vault does not pull pkijs into
 * every function that keeps a key.
 */
function isEncryptedPrivateKeyInfo(der: Uint8Array): boolean {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return false;
  const [algorithm, encryptedData, ...rest] = parsed.result.valueBlock.value;
  return (
    rest.length === 0 &&
    algorithm instanceof asn1js.Sequence &&
    algorithm.valueBlock.value[0] instanceof asn1js.ObjectIdentifier &&
    encryptedData instanceof asn1js.OctetString
  );
}
