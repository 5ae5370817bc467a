import { createPrivateKey, createPublicKey } from "node:crypto";
import { toArrayBuffer } from "./pem.ts";

/** Imports a PKCS#8 private key for signing, detecting its algorithm from the key itself. */
export async function importPrivateKeyPkcs8(pkcs8: Uint8Array): Promise<CryptoKey> {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  const details = key.asymmetricKeyDetails ?? {};
  let algorithm: RsaHashedImportParams | EcKeyImportParams;
  if (key.asymmetricKeyType === "ec") {
    const namedCurve = details.namedCurve === "secp384r1" ? "P-384" : "P-256";
    algorithm = { name: "ECDSA", namedCurve };
  } else if (key.asymmetricKeyType === "rsa") {
    algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  } else {
    throw new Error(`Unsupported private key type ${key.asymmetricKeyType ?? "unknown"}.`);
  }
  return crypto.subtle.importKey("pkcs8", toArrayBuffer(pkcs8), algorithm, true, ["sign"]);
}

/** The SubjectPublicKeyInfo (DER) of a PKCS#8 private key. */
export function publicKeyOfPkcs8(pkcs8: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  return new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }));
}
