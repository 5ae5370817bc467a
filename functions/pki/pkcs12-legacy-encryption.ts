import { createCipheriv, createHash, randomBytes } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { toArrayBuffer } from "./pem.ts";

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C): what Windows Server 2016 and older import. */
export const PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3";

const SHA1_BYTES = 20;
const SHA1_BLOCK_BYTES = 64;
const SALT_BYTES = 8;
const KEY_MATERIAL = 1;
const IV_MATERIAL = 2;

/** The password as PKCS#12 key derivation takes it: UTF-16BE with a two-byte terminator. */
function bmpPassword(password: string): Buffer {
  const bytes = Buffer.alloc(password.length * 2 + 2);
  for (let index = 0; index < password.length; index++) {
    bytes.writeUInt16BE(password.charCodeAt(index), index * 2);
  }
  return bytes;
}

/** `text` repeated to fill a whole number of `size`-byte blocks (empty stays empty). */
function repeatedToBlocks(text: Buffer, size: number): Buffer {
  if (text.length === 0) return Buffer.alloc(0);
  const length = size * Math.ceil(text.length / size);
  const filled = Buffer.alloc(length);
  for (let index = 0; index < length; index++) filled[index] = text[index % text.length] ?? 0;
  return filled;
}

/** The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-1: `length` bytes of material `id`. */
export function pkcs12Sha1Kdf(
  password: string,
  salt: Uint8Array,
  iterations: number,
  id: number,
  length: number,
): Buffer {
  const v = SHA1_BLOCK_BYTES;
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([
    repeatedToBlocks(Buffer.from(salt), v),
    repeatedToBlocks(bmpPassword(password), v),
  ]);
  const output: Buffer[] = [];
  for (let produced = 0; produced < length; produced += SHA1_BYTES) {
    let digest = createHash("sha1").update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round++) {
      digest = createHash("sha1").update(digest).digest();
    }
    output.push(digest);
    // Each v-byte block of the input becomes (block + B + 1) mod 2^(8v), B the digest repeated.
    const b = repeatedToBlocks(digest, v);
    for (let offset = 0; offset < input.length; offset += v) {
      let carry = 1;
      for (let index = v - 1; index >= 0; index--) {
        const sum = (input[offset + index] ?? 0) + (b[index] ?? 0) + carry;
        input[offset + index] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(output).subarray(0, length);
}

/**
 * Encrypts `plaintext` with pbeWithSHAAnd3-KeyTripleDES-CBC under a fresh salt; returns the
 * algorithm identifier (salt and iteration count) and the ciphertext.
 */
export function encryptPbeSha1TripleDes(
  plaintext: Uint8Array,
  password: string,
  iterations: number,
): { algorithm: pkijs.AlgorithmIdentifier; ciphertext: ArrayBuffer } {
  const salt = randomBytes(SALT_BYTES);
  const key = pkcs12Sha1Kdf(password, salt, iterations, KEY_MATERIAL, 24);
  const iv = pkcs12Sha1Kdf(password, salt, iterations, IV_MATERIAL, 8);
  const cipher = createCipheriv("des-ede3-cbc", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const algorithm = new pkijs.AlgorithmIdentifier({
    algorithmId: PBE_SHA1_3DES,
    algorithmParams: new asn1js.Sequence({
      value: [
        new asn1js.OctetString({ valueHex: toArrayBuffer(salt) }),
        new asn1js.Integer({ value: iterations }),
      ],
    }),
  });
  return { algorithm, ciphertext: toArrayBuffer(ciphertext) };
}
