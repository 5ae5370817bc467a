import { createPrivateKey, type KeyObject } from "node:crypto";

export class WrongPassphraseError extends Error {
  override readonly name = "WrongPassphraseError";
  readonly code = "WRONG_PASSPHRASE";
}

function pkcs8Der(key: CryptoKey | Uint8Array): Promise<Uint8Array> | Uint8Array {
  if (key instanceof Uint8Array) return key;
  return crypto.subtle.exportKey("pkcs8", key).then((buffer) => new Uint8Array(buffer));
}

/** Encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC), as openssl reads it. */
export async function encryptPrivateKey(
  key: CryptoKey | Uint8Array,
  passphrase: string,
): Promise<string> {
  const keyObject = createPrivateKey({
    key: Buffer.from(await pkcs8Der(key)),
    format: "der",
    type: "pkcs8",
  });
  return keyObject.export({
    type: "pkcs8",
    format: "pem",
    cipher: "aes-256-cbc",
    passphrase,
  }) as string;
}

export async function decryptPrivateKey(
  pem: string,
  passphrase: string,
): Promise<{ pkcs8: Uint8Array; pem: string }> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: "pem", passphrase });
  } catch {
    throw new WrongPassphraseError(
      "The private key could not be decrypted: wrong passphrase or damaged key.",
    );
  }
  return {
    pkcs8: new Uint8Array(keyObject.export({ type: "pkcs8", format: "der" })),
    pem: keyObject.export({ type: "pkcs8", format: "pem" }) as string,
  };
}
