import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Small secrets at rest (webhook signing secrets): AES-256-GCM under a key derived for the one
 * object that holds them (the vault's per-object passphrase, itself derived from the master
 * secret), so no key is ever stored. The object's name is bound in as associated data: a sealed
 * secret copied under another name does not open.
 */
const FORMAT = "certflow-sealed-v1";

const keyOf = (passphrase: string) => {
  const key = Buffer.from(passphrase, "base64url");
  if (key.length !== 32) throw new Error("A sealing key must be 32 bytes.");
  return key;
};

export function sealSecret(secret: string, passphrase: string, objectKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(passphrase), iv);
  cipher.setAAD(Buffer.from(objectKey, "utf8"));
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [FORMAT, iv, cipher.getAuthTag(), sealed]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export class SealedSecretUnreadable extends Error {
  override readonly name = "SealedSecretUnreadable";
}

export function openSecret(sealed: string, passphrase: string, objectKey: string): string {
  const [format, iv, tag, ciphertext, ...rest] = sealed.split(".");
  if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new SealedSecretUnreadable(`${objectKey} is not a sealed secret.`);
  }
  if (rest.length > 0) throw new SealedSecretUnreadable(`${objectKey} is not a sealed secret.`);
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      keyOf(passphrase),
      Buffer.from(iv, "base64url"),
    );
    decipher.setAAD(Buffer.from(objectKey, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    // Never the bytes or the key: only which object did not open.
    throw new SealedSecretUnreadable(`${objectKey} does not open with its key.`);
  }
}
