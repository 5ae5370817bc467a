import "reflect-metadata";
import * as x509 from "@peculiar/x509";

/** Key types the delivery formats must carry, as WebCrypto parameters. */
export const TEST_KEY_ALGORITHMS = {
  "EC-P256": {
    generate: { name: "ECDSA", namedCurve: "P-256" },
    sign: { name: "ECDSA", hash: "SHA-256" },
  },
  "EC-P384": {
    generate: { name: "ECDSA", namedCurve: "P-384" },
    sign: { name: "ECDSA", hash: "SHA-384" },
  },
  "RSA-2048": {
    generate: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
} as const;

export type TestKeyType = keyof typeof TEST_KEY_ALGORITHMS;
export const TEST_KEY_TYPES = Object.keys(TEST_KEY_ALGORITHMS) as TestKeyType[];

const NOT_BEFORE = new Date(Date.now() - 3_600_000);
const NOT_AFTER = new Date(Date.now() + 30 * 86_400_000);

async function keyPair(keyType: TestKeyType): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(TEST_KEY_ALGORITHMS[keyType].generate, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

interface Issuer {
  readonly name: string;
  readonly keys: CryptoKeyPair;
  readonly certificate: x509.X509Certificate;
}

async function certificate(options: {
  subject: string;
  keys: CryptoKeyPair;
  issuer: Issuer | undefined;
  ca: boolean;
  names?: readonly string[];
}): Promise<x509.X509Certificate> {
  const signer = options.issuer?.keys ?? options.keys;
  const signerAlgorithm = signer.privateKey.algorithm as EcKeyAlgorithm | RsaHashedKeyAlgorithm;
  const signingAlgorithm =
    "namedCurve" in signerAlgorithm
      ? { name: "ECDSA", hash: signerAlgorithm.namedCurve === "P-384" ? "SHA-384" : "SHA-256" }
      : { name: "RSASSA-PKCS1-v1_5" };
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(options.ca, undefined, true),
    new x509.KeyUsagesExtension(
      options.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(options.keys.publicKey),
  ];
  if (options.issuer !== undefined) {
    extensions.push(
      await x509.AuthorityKeyIdentifierExtension.create(options.issuer.keys.publicKey),
    );
  }
  if (options.names !== undefined) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        options.names.map((value) => ({ type: "dns" as const, value })),
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    );
  }
  return x509.X509CertificateGenerator.create({
    subject: options.subject,
    issuer: options.issuer?.name ?? options.subject,
    publicKey: options.keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    extensions,
  });
}

export interface TestChain {
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly issue: (keyType: TestKeyType, commonName: string) => Promise<TestLeaf>;
}

export interface TestLeaf {
  readonly keys: CryptoKeyPair;
  readonly pkcs8: Uint8Array;
  readonly certificatePem: string;
  readonly certificateDer: Uint8Array;
}

/** A CA named `name` with a new key, signed by `issuer` (by itself when there is none). */
async function caIssuer(
  keyType: TestKeyType,
  name: string,
  issuer: Issuer | undefined,
): Promise<Issuer> {
  const keys = await keyPair(keyType);
  return { name, keys, certificate: await certificate({ subject: name, keys, issuer, ca: true }) };
}

/** A root, an intermediate and a function issuing leaves under the intermediate. */
export async function testChain(): Promise<TestChain> {
  const root = await caIssuer("EC-P384", "CN=Delivery Test Root", undefined);
  const intermediate = await caIssuer("EC-P256", "CN=Delivery Test Issuing CA", root);
  return {
    rootPem: root.certificate.toString("pem"),
    intermediatePem: intermediate.certificate.toString("pem"),
    issue: async (keyType, commonName) => {
      const keys = await keyPair(keyType);
      const leaf = await certificate({
        subject: `CN=${commonName}`,
        keys,
        issuer: intermediate,
        ca: false,
        names: [commonName],
      });
      return {
        keys,
        pkcs8: new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)),
        certificatePem: leaf.toString("pem"),
        certificateDer: new Uint8Array(leaf.rawData),
      };
    },
  };
}
