import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import type { KeyType } from "../domain/key-types.ts";
import { describePublicKey } from "./key-pairs.ts";
import { findPemBlock, toArrayBuffer } from "./pem.ts";
import { readSignedData, subjectPublicKeyInfoOf } from "./signed-data.ts";

function pkcs8Der(input: Uint8Array | string): Uint8Array {
  if (typeof input !== "string") return input;
  const block = findPemBlock(input, "PRIVATE KEY");
  if (block === undefined) {
    throw new Error(
      findPemBlock(input, "ENCRYPTED PRIVATE KEY") === undefined
        ? "No PEM 'PRIVATE KEY' (PKCS#8) block found."
        : "The private key is encrypted; decrypt it first.",
    );
  }
  return block.der;
}

/**
 * Imports a PKCS#8 private key (DER, or PEM "PRIVATE KEY") for signing, detecting its algorithm
 * from the key itself: EC P-256/P-384 as ECDSA, RSA as RSASSA-PKCS1-v1_5 with SHA-256. With
 * `expected`, a key of another type is refused.
 */
export async function importPrivateKeyPkcs8(
  input: Uint8Array | string,
  expected?: KeyType,
): Promise<CryptoKey> {
  const der = pkcs8Der(input);
  const key = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  const details = key.asymmetricKeyDetails ?? {};
  let algorithm: RsaHashedImportParams | EcKeyImportParams;
  if (key.asymmetricKeyType === "ec" && details.namedCurve === "prime256v1") {
    algorithm = { name: "ECDSA", namedCurve: "P-256" };
  } else if (key.asymmetricKeyType === "ec" && details.namedCurve === "secp384r1") {
    algorithm = { name: "ECDSA", namedCurve: "P-384" };
  } else if (key.asymmetricKeyType === "rsa") {
    algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  } else {
    const kind =
      key.asymmetricKeyType === "ec" ? `EC ${details.namedCurve}` : key.asymmetricKeyType;
    throw new Error(`Unsupported private key (${kind ?? "unknown"}): use EC P-256/P-384 or RSA.`);
  }
  const imported = await crypto.subtle.importKey("pkcs8", toArrayBuffer(der), algorithm, true, [
    "sign",
  ]);
  const actual = describePublicKey(imported).keyType;
  if (expected !== undefined && actual !== expected) {
    throw new Error(`The private key is ${actual ?? "of another type"}, not ${expected}.`);
  }
  return imported;
}

/** The SubjectPublicKeyInfo (DER) of a PKCS#8 private key. */
export function publicKeyOfPkcs8(pkcs8: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  return new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }));
}

function spkiOf(input: Uint8Array | string): Uint8Array {
  if (typeof input !== "string") return input;
  const block = findPemBlock(
    input,
    "CERTIFICATE",
    "CERTIFICATE REQUEST",
    "NEW CERTIFICATE REQUEST",
    "PUBLIC KEY",
  );
  if (block === undefined) {
    throw new Error("Expected a PEM certificate, CSR or public key.");
  }
  if (block.label === "PUBLIC KEY") return block.der;
  return subjectPublicKeyInfoOf(
    readSignedData(block.der),
    block.label === "CERTIFICATE" ? "certificate" : "csr",
  );
}

/**
 * Whether a private key belongs to a public key: given as SubjectPublicKeyInfo DER, or as the PEM
 * of a certificate, a CSR or a public key.
 */
export function publicKeyMatches(privateKey: CryptoKey, publicKey: Uint8Array | string): boolean {
  const ours = createPublicKey(KeyObject.from(privateKey));
  return ours.equals(
    createPublicKey({ key: Buffer.from(spkiOf(publicKey)), format: "der", type: "spki" }),
  );
}
