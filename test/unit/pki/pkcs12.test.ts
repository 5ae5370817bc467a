import { createHash, createPrivateKey } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { findPemBlock } from "../../../functions/pki/pem.ts";
import { buildPkcs12 } from "../../../functions/pki/pkcs12.ts";
import { TEST_KEY_TYPES, type TestChain, testChain } from "./delivery-test-pki.ts";
import { OID, pbes2Algorithms, readPkcs12 } from "./pkcs12-test-reader.ts";

const PASSWORD = "Tomcat-and-IIS-1";
let chain: TestChain;
let intermediateDer: Uint8Array;
let rootDer: Uint8Array;

beforeAll(async () => {
  chain = await testChain();
  intermediateDer = findPemBlock(chain.intermediatePem, "CERTIFICATE")?.der ?? new Uint8Array();
  rootDer = findPemBlock(chain.rootPem, "CERTIFICATE")?.der ?? new Uint8Array();
});

function decryptKeyBag(encryptedDer: Uint8Array, password: string): Uint8Array {
  // A shrouded key bag is an EncryptedPrivateKeyInfo: node reads it like encrypted PKCS#8.
  return new Uint8Array(
    createPrivateKey({
      key: Buffer.from(encryptedDer),
      format: "der",
      type: "pkcs8",
      passphrase: password,
    }).export({ type: "pkcs8", format: "der" }),
  );
}

describe.each(TEST_KEY_TYPES)("a PKCS#12 file for a %s key", (keyType) => {
  it("verifies its MAC with the password and holds one key bag and every certificate", async () => {
    const leaf = await chain.issue(keyType, "shop.example.com");
    const body = await buildPkcs12({
      privateKeyPkcs8: leaf.pkcs8,
      certificates: [leaf.certificateDer, intermediateDer, rootDer],
      password: PASSWORD,
    });
    const read = await readPkcs12(body, PASSWORD);

    expect(read.macDigestOid).toBe(OID.sha256);
    expect(read.macIterations).toBe(10_000);
    expect(read.safeContentTypes).toEqual([OID.data, OID.encryptedData]);
    expect(read.keyBags).toHaveLength(1);
    expect(read.certBags.map((bag) => bag.der)).toEqual([
      leaf.certificateDer,
      intermediateDer,
      rootDer,
    ]);

    const [keyBag] = read.keyBags;
    expect(pbes2Algorithms(keyBag?.encryptedDer ?? new Uint8Array())).toEqual({
      scheme: OID.pbes2,
      keyDerivation: OID.pbkdf2,
      prf: OID.hmacWithSha256,
      iterations: 10_000,
      cipher: OID.aes256Cbc,
    });
    expect(decryptKeyBag(keyBag?.encryptedDer ?? new Uint8Array(), PASSWORD)).toEqual(leaf.pkcs8);
  });

  it("links key and leaf by localKeyId and friendlyName, and only them", async () => {
    const leaf = await chain.issue(keyType, "shop.example.com");
    const body = await buildPkcs12({
      privateKeyPkcs8: leaf.pkcs8,
      certificates: [leaf.certificateDer, intermediateDer],
      password: PASSWORD,
      friendlyName: "tomcat",
    });
    const read = await readPkcs12(body, PASSWORD);
    const leafSha1 = createHash("sha1").update(leaf.certificateDer).digest("hex");
    const linked = { friendlyName: "tomcat", localKeyIdHex: leafSha1 };
    expect(read.keyBags[0]?.attributes).toEqual(linked);
    expect(read.certBags[0]?.attributes).toEqual(linked);
    expect(read.certBags[1]?.attributes).toEqual({});
  });
});

describe("buildPkcs12", () => {
  it("refuses to open with a wrong password", async () => {
    const leaf = await chain.issue("EC-P256", "shop.example.com");
    const body = await buildPkcs12({
      privateKeyPkcs8: leaf.pkcs8,
      certificates: [leaf.certificateDer],
      password: PASSWORD,
    });
    await expect(readPkcs12(body, "Tomcat-and-IIS-2")).rejects.toThrow(/Integrity/);
  });

  it('names the entry "certflow" by default and takes an iteration count', async () => {
    const leaf = await chain.issue("EC-P256", "shop.example.com");
    const body = await buildPkcs12({
      privateKeyPkcs8: leaf.pkcs8,
      certificates: [leaf.certificateDer, intermediateDer],
      password: PASSWORD,
      iterations: 12_000,
    });
    const read = await readPkcs12(body, PASSWORD);
    expect(read.keyBags[0]?.attributes.friendlyName).toBe("certflow");
    expect(read.macIterations).toBe(12_000);
    expect(pbes2Algorithms(read.keyBags[0]?.encryptedDer ?? new Uint8Array()).iterations).toBe(
      12_000,
    );
  });

  it("refuses a key that does not belong to the leaf", async () => {
    const leaf = await chain.issue("EC-P256", "shop.example.com");
    const other = await chain.issue("EC-P256", "other.example.com");
    await expect(
      buildPkcs12({
        privateKeyPkcs8: other.pkcs8,
        certificates: [leaf.certificateDer],
        password: PASSWORD,
      }),
    ).rejects.toThrow(/does not belong/);
  });

  it.each([
    ["no certificate", { certificates: [] as Uint8Array[] }, /at least the certificate/],
    ["a password keytool refuses", { password: "Pässwort-123" }, /ASCII/],
    ["a zero iteration count", { iterations: 0 }, /iteration/],
    ["fewer than 10,000 iterations (modern profile)", { iterations: 9_999 }, /at least 10000/],
  ])("refuses %s", async (_, change, message) => {
    const leaf = await chain.issue("EC-P256", "shop.example.com");
    const input = {
      privateKeyPkcs8: leaf.pkcs8,
      certificates: [leaf.certificateDer],
      password: PASSWORD,
    };
    await expect(buildPkcs12({ ...input, ...change })).rejects.toThrow(message);
  });
});
