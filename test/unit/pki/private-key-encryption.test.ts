import { createPrivateKey } from "node:crypto";
import { PKCS8ShroudedKeyBag } from "pkijs";
import { describe, expect, it } from "vitest";
import { findPemBlock, toArrayBuffer, toPem } from "../../../functions/pki/pem.ts";
import {
  decryptPrivateKey,
  encryptPrivateKey,
  PrivateKeyDecryptionError,
} from "../../../functions/pki/private-key-encryption.ts";
import { TEST_KEY_ALGORITHMS, TEST_KEY_TYPES } from "./delivery-test-pki.ts";
import { OID, pbes2Algorithms } from "./pkcs12-test-reader.ts";

const PASSPHRASE = "vault passphrase 0f 32 bytes, say";

async function keyPair(keyType: (typeof TEST_KEY_TYPES)[number]) {
  return (await crypto.subtle.generateKey(TEST_KEY_ALGORITHMS[keyType].generate, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

async function decryptionError(pem: string, passphrase: string) {
  const error = await decryptPrivateKey(pem, passphrase).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PrivateKeyDecryptionError);
  return error as PrivateKeyDecryptionError;
}

describe.each(TEST_KEY_TYPES)("a %s private key", (keyType) => {
  it("comes back from encrypted PKCS#8 as the same key, DER and unencrypted PEM", async () => {
    const keys = await keyPair(keyType);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));

    const encrypted = await encryptPrivateKey(keys.privateKey, PASSPHRASE);
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(encrypted).not.toContain(Buffer.from(pkcs8).toString("base64").slice(0, 40));

    const decrypted = await decryptPrivateKey(encrypted, PASSPHRASE);
    expect(decrypted.pkcs8).toEqual(pkcs8);
    expect(decrypted.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(findPemBlock(decrypted.pem, "PRIVATE KEY")?.der).toEqual(pkcs8);

    // The key still signs what its public key verifies.
    const { sign, generate } = TEST_KEY_ALGORITHMS[keyType];
    const imported = await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array(decrypted.pkcs8),
      generate,
      false,
      ["sign"],
    );
    const data = new TextEncoder().encode("certflow");
    const signature = await crypto.subtle.sign(sign, imported, data);
    expect(await crypto.subtle.verify(sign, keys.publicKey, signature, data)).toBe(true);
  });

  it("is encrypted with PBES2: PBKDF2-HMAC-SHA256 and AES-256-CBC", async () => {
    const keys = await keyPair(keyType);
    const encrypted = await encryptPrivateKey(keys.privateKey, PASSPHRASE);
    const der = findPemBlock(encrypted, "ENCRYPTED PRIVATE KEY")?.der;
    expect(der).toBeDefined();
    expect(pbes2Algorithms(der ?? new Uint8Array())).toMatchObject({
      scheme: OID.pbes2,
      keyDerivation: OID.pbkdf2,
      prf: OID.hmacWithSha256,
      cipher: OID.aes256Cbc,
    });
  });
});

describe("encryptPrivateKey", () => {
  it("takes PKCS#8 DER as well as a CryptoKey, with fresh salt and IV each time", async () => {
    const keys = await keyPair("EC-P256");
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
    const first = await encryptPrivateKey(pkcs8, PASSPHRASE);
    const second = await encryptPrivateKey(pkcs8, PASSPHRASE);
    expect(first).not.toBe(second);
    expect((await decryptPrivateKey(first, PASSPHRASE)).pkcs8).toEqual(pkcs8);
    expect((await decryptPrivateKey(second, PASSPHRASE)).pkcs8).toEqual(pkcs8);
  });

  it("refuses an empty passphrase", async () => {
    const keys = await keyPair("EC-P256");
    await expect(encryptPrivateKey(keys.privateKey, "")).rejects.toThrow(RangeError);
  });
});

describe("decryptPrivateKey refuses", () => {
  it("a wrong passphrase with WRONG_PASSPHRASE, naming neither passphrase", async () => {
    const keys = await keyPair("EC-P384");
    const encrypted = await encryptPrivateKey(keys.privateKey, PASSPHRASE);
    const error = await decryptionError(encrypted, "not the passphrase");
    expect(error.code).toBe("WRONG_PASSPHRASE");
    expect(error.message).not.toContain(PASSPHRASE);
    expect(error.message).not.toContain("not the passphrase");
  });

  it("a damaged ciphertext with WRONG_PASSPHRASE", async () => {
    const keys = await keyPair("RSA-2048");
    const encrypted = await encryptPrivateKey(keys.privateKey, PASSPHRASE);
    const der = findPemBlock(encrypted, "ENCRYPTED PRIVATE KEY")?.der ?? new Uint8Array();
    const damaged = new Uint8Array(der);
    // The ciphertext ends the DER; its first block decrypts to the start of PrivateKeyInfo.
    const ciphertextLength = PKCS8ShroudedKeyBag.fromBER(toArrayBuffer(der)).encryptedData
      .valueBlock.valueHexView.byteLength;
    const ciphertextStart = der.length - ciphertextLength;
    expect(ciphertextLength).toBeGreaterThan(1100);
    damaged[ciphertextStart] = (damaged[ciphertextStart] ?? 0) ^ 0x01;
    const error = await decryptionError(toPem(damaged, "ENCRYPTED PRIVATE KEY"), PASSPHRASE);
    expect(error.code).toBe("WRONG_PASSPHRASE");
  });

  it.each([
    ["text without PEM", "just some text"],
    ["a certificate", "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"],
    [
      "a block of garbage",
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nZ2FyYmFnZSBnYXJiYWdl\n-----END ENCRYPTED PRIVATE KEY-----\n",
    ],
  ])("%s with NOT_ENCRYPTED_PRIVATE_KEY", async (_, pem) => {
    expect((await decryptionError(pem, PASSPHRASE)).code).toBe("NOT_ENCRYPTED_PRIVATE_KEY");
  });

  it("an unencrypted key: keys at rest must be encrypted", async () => {
    const keys = await keyPair("EC-P256");
    const plain = createPrivateKey({
      key: Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
      format: "der",
      type: "pkcs8",
    })
      .export({ type: "pkcs8", format: "pem" })
      .toString();
    expect((await decryptionError(plain, PASSPHRASE)).code).toBe("NOT_ENCRYPTED_PRIVATE_KEY");
  });
});
