import { createHmac, createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { toArrayBuffer } from "./pem.ts";
import { encryptPbeSha1TripleDes, pkcs12Sha1Kdf } from "./pkcs12-legacy-encryption.ts";
import { checkPfxPassword, type Pkcs12Profile } from "./pkcs12-profiles.ts";

export {
  checkPfxPassword,
  type PfxPasswordProblem,
  PKCS12_PROFILES,
  type Pkcs12Profile,
} from "./pkcs12-profiles.ts";

const KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE = "1.2.840.113549.1.9.22.1";
const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";

export const DEFAULT_FRIENDLY_NAME = "certflow";
/** PBKDF2 and MAC iterations of the modern profile, and the fewest it accepts. */
export const DEFAULT_PKCS12_ITERATIONS = 10_000;
export const MIN_MODERN_PKCS12_ITERATIONS = 10_000;
/** The legacy profile's count, as `openssl pkcs12 -export -legacy` and Windows write it. */
export const LEGACY_PKCS12_ITERATIONS = 2048;

const ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const SHA1 = "1.3.14.3.2.26";
const MAC_MATERIAL = 3;
const MAC_SALT_BYTES = 8;

// An engine of our own, so that no other module's pkijs.setEngine changes what this one uses.
const engine = new pkijs.CryptoEngine({ name: "node-webcrypto", crypto: globalThis.crypto });

export interface Pkcs12Input {
  /** Unencrypted PKCS#8 DER. */
  readonly privateKeyPkcs8: Uint8Array;
  /** DER, the leaf (the key's certificate) first, then the chain towards the root. */
  readonly certificates: readonly Uint8Array[];
  readonly password: string;
  /** Shown by Windows and used as the alias by Java keytool and Tomcat. */
  readonly friendlyName?: string;
  /** modern (the default) or legacy; see PKCS12_PROFILES. */
  readonly profile?: Pkcs12Profile;
  /** Modern profile only: at least MIN_MODERN_PKCS12_ITERATIONS. */
  readonly iterations?: number;
}

function bagAttributes(friendlyName: string, localKeyId: ArrayBuffer): pkijs.Attribute[] {
  return [
    new pkijs.Attribute({
      type: FRIENDLY_NAME,
      values: [new asn1js.BmpString({ value: friendlyName })],
    }),
    new pkijs.Attribute({
      type: LOCAL_KEY_ID,
      values: [new asn1js.OctetString({ valueHex: localKeyId })],
    }),
  ];
}

function checkInput(input: Pkcs12Input, iterations: number): Uint8Array {
  const [leaf] = input.certificates;
  if (leaf === undefined) throw new RangeError("A PKCS#12 file needs at least the certificate.");
  const problem = checkPfxPassword(input.password);
  if (problem !== undefined) throw new RangeError(problem.message);
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError("The iteration count must be a positive integer.");
  }
  if ((input.profile ?? "modern") === "modern" && iterations < MIN_MODERN_PKCS12_ITERATIONS) {
    throw new RangeError(
      `The iteration count must be at least ${MIN_MODERN_PKCS12_ITERATIONS} (got ${iterations}).`,
    );
  }
  const privateKey = createPrivateKey({
    key: Buffer.from(input.privateKeyPkcs8),
    format: "der",
    type: "pkcs8",
  });
  if (!new X509Certificate(leaf).checkPrivateKey(privateKey)) {
    throw new RangeError("The private key does not belong to the first certificate.");
  }
  return leaf;
}

function certificateBagsOf(
  certificates: readonly Uint8Array[],
  friendlyName: string,
  localKeyId: ArrayBuffer,
): pkijs.SafeBag[] {
  return certificates.map(
    (der, index) =>
      new pkijs.SafeBag({
        bagId: CERT_BAG,
        bagValue: new pkijs.CertBag({
          certId: X509_CERTIFICATE,
          certValue: new asn1js.OctetString({ valueHex: toArrayBuffer(der) }),
        }),
        bagAttributes: index === 0 ? bagAttributes(friendlyName, localKeyId) : undefined,
      }),
  );
}

/**
 * The legacy profile, as `openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES -keypbe
 * PBE-SHA1-3DES -macalg sha1` writes it: the key in a shrouded key bag and the certificates in an
 * encrypted safe, both pbeWithSHAAnd3-KeyTripleDES-CBC, under an HMAC-SHA1 MAC, 2048 iterations.
 */
async function buildLegacyPkcs12(input: Pkcs12Input): Promise<Uint8Array> {
  const iterations = input.iterations ?? LEGACY_PKCS12_ITERATIONS;
  const leaf = checkInput(input, iterations);
  const friendlyName = input.friendlyName ?? DEFAULT_FRIENDLY_NAME;
  const localKeyId = await crypto.subtle.digest("SHA-1", toArrayBuffer(leaf));
  const { password } = input;

  const shroudedKey = encryptPbeSha1TripleDes(input.privateKeyPkcs8, password, iterations);
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    encryptionAlgorithm: shroudedKey.algorithm,
    encryptedData: new asn1js.OctetString({ valueHex: shroudedKey.ciphertext }),
  });
  const keySafe = new pkijs.SafeContents({
    safeBags: [
      new pkijs.SafeBag({
        bagId: KEY_BAG,
        bagValue: keyBag,
        bagAttributes: bagAttributes(friendlyName, localKeyId),
      }),
    ],
  });
  const certificateSafe = new pkijs.SafeContents({
    safeBags: certificateBagsOf(input.certificates, friendlyName, localKeyId),
  });
  const encryptedCertificates = encryptPbeSha1TripleDes(
    new Uint8Array(certificateSafe.toSchema().toBER(false)),
    password,
    iterations,
  );
  // In the order openssl writes them: the encrypted certificates, then the key.
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      new pkijs.ContentInfo({
        contentType: ENCRYPTED_DATA,
        content: new pkijs.EncryptedData({
          version: 0,
          encryptedContentInfo: new pkijs.EncryptedContentInfo({
            contentType: pkijs.ContentInfo.DATA,
            contentEncryptionAlgorithm: encryptedCertificates.algorithm,
            encryptedContent: new asn1js.OctetString({
              valueHex: encryptedCertificates.ciphertext,
            }),
          }),
        }).toSchema(),
      }),
      new pkijs.ContentInfo({
        contentType: pkijs.ContentInfo.DATA,
        content: new asn1js.OctetString({ valueHex: keySafe.toSchema().toBER(false) }),
      }),
    ],
  });
  const authenticatedSafeBer = authenticatedSafe.toSchema().toBER(false);
  const macSalt = randomBytes(MAC_SALT_BYTES);
  const macKey = pkcs12Sha1Kdf(password, macSalt, iterations, MAC_MATERIAL, 20);
  const mac = createHmac("sha1", macKey).update(new Uint8Array(authenticatedSafeBer)).digest();
  const pfx = new pkijs.PFX({
    version: 3,
    authSafe: new pkijs.ContentInfo({
      contentType: pkijs.ContentInfo.DATA,
      content: new asn1js.OctetString({ valueHex: authenticatedSafeBer }),
    }),
    macData: new pkijs.MacData({
      mac: new pkijs.DigestInfo({
        digestAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: SHA1,
          algorithmParams: new asn1js.Null(),
        }),
        digest: new asn1js.OctetString({ valueHex: toArrayBuffer(mac) }),
      }),
      macSalt: new asn1js.OctetString({ valueHex: toArrayBuffer(macSalt) }),
      iterations,
    }),
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}

/**
 * A PKCS#12 file (IIS .pfx, Tomcat .p12), modern profile: the key in a shrouded key bag and the certificates in an
 * encrypted safe, both PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), under an HMAC-SHA256 MAC. Key and
 * leaf share a localKeyId and a friendlyName, which is how importers pair them.
 */
export async function buildPkcs12(input: Pkcs12Input): Promise<Uint8Array> {
  if (input.profile === "legacy") return buildLegacyPkcs12(input);
  const iterations = input.iterations ?? DEFAULT_PKCS12_ITERATIONS;
  const leaf = checkInput(input, iterations);
  const friendlyName = input.friendlyName ?? DEFAULT_FRIENDLY_NAME;
  const localKeyId = await crypto.subtle.digest("SHA-1", toArrayBuffer(leaf));
  const password = toArrayBuffer(new TextEncoder().encode(input.password));
  const encryption = () => ({
    password,
    // pkijs draws the IV itself; its type still asks for one.
    contentEncryptionAlgorithm: {
      name: "AES-CBC",
      length: 256,
    } as pkijs.ContentEncryptionAlgorithm,
    hmacHashAlgorithm: "SHA-256",
    iterationCount: iterations,
  });

  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(input.privateKeyPkcs8)),
  });
  await keyBag.makeInternalValues(encryption(), engine);
  const certificateBags = certificateBagsOf(input.certificates, friendlyName, localKeyId);
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        {
          privacyMode: 0,
          value: new pkijs.SafeContents({
            safeBags: [
              new pkijs.SafeBag({
                bagId: KEY_BAG,
                bagValue: keyBag,
                bagAttributes: bagAttributes(friendlyName, localKeyId),
              }),
            ],
          }),
        },
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certificateBags }) },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [{}, encryption()] }, engine);

  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues(
    {
      password,
      iterations,
      // Asked for by pkijs though the PKCS#12 MAC key derivation does not use it.
      pbkdf2HashAlgorithm: { name: "SHA-256" },
      hmacHashAlgorithm: "SHA-256",
    },
    engine,
  );
  return new Uint8Array(pfx.toSchema().toBER(false));
}
