import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { toArrayBuffer } from "./pem.ts";

pkijs.setEngine(
  "certflow",
  new pkijs.CryptoEngine({ name: "certflow", crypto: globalThis.crypto }),
);

const KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE = "1.2.840.113549.1.9.22.1";
const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";

export interface PfxPasswordProblem {
  readonly code: "PASSWORD_INVALID";
  readonly message: string;
}

/** Keytool refuses non-ASCII keystore passwords; IIS and openssl take the same rules fine. */
export function checkPfxPassword(password: string): PfxPasswordProblem | undefined {
  if (password.length < 8 || password.length > 128) {
    return { code: "PASSWORD_INVALID", message: "The password must be 8 to 128 characters long." };
  }
  if (!/^[\x20-\x7e]+$/.test(password)) {
    return {
      code: "PASSWORD_INVALID",
      message:
        "The password may only contain printable ASCII characters (Java keytool refuses others).",
    };
  }
  return undefined;
}

function attributes(friendlyName: string | undefined, localKeyId: ArrayBuffer): pkijs.Attribute[] {
  const list = [
    new pkijs.Attribute({
      type: LOCAL_KEY_ID,
      values: [new asn1js.OctetString({ valueHex: localKeyId })],
    }),
  ];
  if (friendlyName !== undefined) {
    list.push(
      new pkijs.Attribute({
        type: FRIENDLY_NAME,
        values: [new asn1js.BmpString({ value: friendlyName })],
      }),
    );
  }
  return list;
}

/**
 * A PKCS#12 file (for IIS .pfx and Tomcat keystores): the key in a PBES2 (PBKDF2-SHA256,
 * AES-256-CBC) shrouded bag, the certificates in an encrypted safe, and an HMAC-SHA256 MAC.
 */
export async function buildPkcs12(input: {
  privateKeyPkcs8: Uint8Array;
  certificates: readonly Uint8Array[];
  password: string;
  friendlyName?: string;
  iterations?: number;
}): Promise<Uint8Array> {
  const iterationCount = input.iterations ?? 2048;
  const [leaf] = input.certificates;
  if (leaf === undefined) throw new Error("A PKCS#12 file needs the certificate.");
  const localKeyId = await crypto.subtle.digest("SHA-1", toArrayBuffer(leaf));
  const friendlyName = input.friendlyName ?? "certflow";
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(input.privateKeyPkcs8)),
  });
  const certificateBags = input.certificates.map(
    (der, index) =>
      new pkijs.SafeBag({
        bagId: CERT_BAG,
        bagValue: new pkijs.CertBag({
          certId: X509_CERTIFICATE,
          parsedValue: pkijs.Certificate.fromBER(toArrayBuffer(der)),
        }),
        bagAttributes: index === 0 ? attributes(friendlyName, localKeyId) : undefined,
      }),
  );
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            {
              privacyMode: 0,
              value: new pkijs.SafeContents({
                safeBags: [
                  new pkijs.SafeBag({
                    bagId: KEY_BAG,
                    bagValue: keyBag,
                    bagAttributes: attributes(friendlyName, localKeyId),
                  }),
                ],
              }),
            },
            { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: certificateBags }) },
          ],
        },
      }),
    },
  });
  const encryption = {
    password: new TextEncoder().encode(input.password).buffer as ArrayBuffer,
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 },
    hmacHashAlgorithm: "SHA-256",
    iterationCount,
  };
  await keyBag.makeInternalValues(
    encryption as unknown as Parameters<pkijs.PKCS8ShroudedKeyBag["makeInternalValues"]>[0],
  );
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (safe === undefined) throw new Error("PKCS#12 structure incomplete.");
  await safe.makeInternalValues({ safeContents: [{}, encryption] });
  await pfx.makeInternalValues({
    password: encryption.password,
    iterations: iterationCount,
    pbkdf2HashAlgorithm: "SHA-256",
    hmacHashAlgorithm: "SHA-256",
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}
