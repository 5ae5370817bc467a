import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KEY_TYPES } from "../../../functions/domain/key-types.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { importPrivateKeyPkcs8, publicKeyMatches } from "../../../functions/pki/key-import.ts";
import {
  describePublicKey,
  exportPrivateKeyPkcs8,
  formatKeyDescription,
  generateKeyPair,
  signingAlgorithmFor,
} from "../../../functions/pki/key-pairs.ts";
import { toPem } from "../../../functions/pki/pem.ts";

const EXPECTED = {
  "EC-P256": { algorithm: "EC", curve: "P-256", bits: 256, text: "EC P-256" },
  "EC-P384": { algorithm: "EC", curve: "P-384", bits: 384, text: "EC P-384" },
  "RSA-2048": { algorithm: "RSA", bits: 2048, text: "RSA 2048 bits" },
  "RSA-3072": { algorithm: "RSA", bits: 3072, text: "RSA 3072 bits" },
  "RSA-4096": { algorithm: "RSA", bits: 4096, text: "RSA 4096 bits" },
} as const;

describe("key pairs", () => {
  it.each(KEY_TYPES)(
    "generates, describes, exports and re-imports a %s key that still signs",
    async (keyType) => {
      const keys = await generateKeyPair(keyType);
      expect(keys.privateKey.extractable).toBe(true);
      const { text, ...description } = EXPECTED[keyType];
      expect(describePublicKey(keys.publicKey)).toEqual({ ...description, keyType });
      expect(describePublicKey(keys.privateKey)).toEqual({ ...description, keyType });
      expect(formatKeyDescription(describePublicKey(keys.publicKey))).toBe(text);
      if (keyType.startsWith("RSA")) {
        expect((keys.publicKey.algorithm as RsaHashedKeyAlgorithm).publicExponent).toEqual(
          new Uint8Array([1, 0, 1]),
        );
      }

      const pkcs8 = await exportPrivateKeyPkcs8(keys.privateKey);
      const imported = await importPrivateKeyPkcs8(pkcs8, keyType);
      const data = new TextEncoder().encode("certflow");
      const algorithm = signingAlgorithmFor(imported);
      const signature = await crypto.subtle.sign(algorithm, imported, data);
      expect(await crypto.subtle.verify(algorithm, keys.publicKey, signature, data)).toBe(true);
      expect(publicKeyMatches(imported, await buildCsr({ keys, names: ["a.example.com"] }))).toBe(
        true,
      );
    },
  );

  it("picks the hash that fits the curve", async () => {
    expect(signingAlgorithmFor((await generateKeyPair("EC-P256")).privateKey)).toEqual({
      name: "ECDSA",
      hash: "SHA-256",
    });
    expect(signingAlgorithmFor((await generateKeyPair("EC-P384")).privateKey)).toEqual({
      name: "ECDSA",
      hash: "SHA-384",
    });
  });

  it("imports a PEM PKCS#8 key and refuses one of another type than expected", async () => {
    const keys = await generateKeyPair("EC-P384");
    const pem = toPem(await exportPrivateKeyPkcs8(keys.privateKey), "PRIVATE KEY");
    expect(describePublicKey(await importPrivateKeyPkcs8(pem)).keyType).toBe("EC-P384");
    await expect(importPrivateKeyPkcs8(pem, "EC-P256")).rejects.toThrow("EC-P384, not EC-P256");
  });

  it.each([
    ["Ed25519", () => generateKeyPairSync("ed25519").privateKey, "ed25519"],
    ["EC P-521", () => generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey, "secp521r1"],
  ])("refuses to import an %s key", async (_, make, shown) => {
    const der = new Uint8Array(make().export({ format: "der", type: "pkcs8" }));
    await expect(importPrivateKeyPkcs8(der)).rejects.toThrow(shown);
  });

  it("explains an encrypted key instead of failing obscurely", async () => {
    const encrypted = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      format: "pem",
      type: "pkcs8",
      cipher: "aes-256-cbc",
      passphrase: "secret",
    });
    await expect(importPrivateKeyPkcs8(String(encrypted))).rejects.toThrow("encrypted");
  });

  it("tells a matching public key from another one", async () => {
    const ours = await generateKeyPair("EC-P256");
    const theirs = await generateKeyPair("EC-P256");
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", ours.publicKey));
    expect(publicKeyMatches(ours.privateKey, spki)).toBe(true);
    expect(publicKeyMatches(ours.privateKey, toPem(spki, "PUBLIC KEY"))).toBe(true);
    expect(publicKeyMatches(theirs.privateKey, spki)).toBe(false);
    expect(
      publicKeyMatches(theirs.privateKey, await buildCsr({ keys: ours, names: ["a.example.com"] })),
    ).toBe(false);
    expect(() => publicKeyMatches(ours.privateKey, "no pem here")).toThrow("Expected a PEM");
  });
});
