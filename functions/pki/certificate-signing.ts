import "reflect-metadata";
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from "@peculiar/x509";
import type { KeyType } from "../domain/key-types.ts";
import { loadCertificate } from "./certificate-info.ts";
import { subjectRdns } from "./csr-build.ts";
import { generateKeyPair, signingAlgorithmFor } from "./key-pairs.ts";
import { findPemBlock, toArrayBuffer } from "./pem.ts";

export interface CaKeys {
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
}

const pem = (certificate: { toString(format: "pem"): string }) =>
  `${certificate.toString("pem").trim()}\n`;

const serialHex = (bytes: Uint8Array) => {
  const copy = new Uint8Array(bytes);
  copy[0] = (copy[0] ?? 0) & 0x7f;
  return Buffer.from(copy).toString("hex");
};

const randomSerial = () => serialHex(crypto.getRandomValues(new Uint8Array(16)));

export async function createRootCa(input: {
  commonName: string;
  keyType: KeyType;
  notBefore: Date;
  notAfter: Date;
}): Promise<CaKeys> {
  const keys = await generateKeyPair(input.keyType);
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectRdns(input.commonName, { organization: "certflow" }),
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: pem(certificate), privateKey: keys.privateKey };
}

export async function createIntermediateCa(input: {
  commonName: string;
  issuer: CaKeys;
  keyType: KeyType;
  notBefore: Date;
  notAfter: Date;
}): Promise<CaKeys> {
  const keys = await generateKeyPair(input.keyType);
  const issuer = loadCertificate(input.issuer.certificatePem);
  const certificate = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectRdns(input.commonName, { organization: "certflow" }),
    issuer: issuer.subject,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: keys.publicKey,
    signingKey: input.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(input.issuer.privateKey),
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(
        KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature,
        true,
      ),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  return { certificatePem: pem(certificate), privateKey: keys.privateKey };
}

/** Signs a server certificate for the CSR's key, after checking the CSR's own signature. */
export async function issueLeafCertificate(input: {
  csrPem: string;
  names: readonly string[];
  issuer: CaKeys;
  serialNumber: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}): Promise<string> {
  const block = findPemBlock(input.csrPem, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
  if (block === undefined) throw new Error("No CSR to sign.");
  const csr = new Pkcs10CertificateRequest(toArrayBuffer(block.der));
  if (!(await csr.verify())) throw new Error("The CSR's signature is invalid.");
  const [commonName] = input.names;
  if (commonName === undefined) throw new Error("A certificate needs at least one name.");
  const issuer = loadCertificate(input.issuer.certificatePem);
  const publicKey = await csr.publicKey.export();
  const isRsa = publicKey.algorithm.name.startsWith("RSA");
  const certificate = await X509CertificateGenerator.create({
    serialNumber: serialHex(input.serialNumber),
    subject: subjectRdns(commonName.length <= 64 ? commonName : undefined),
    issuer: issuer.subject,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: csr.publicKey,
    signingKey: input.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(input.issuer.privateKey),
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(
        isRsa
          ? KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment
          : KeyUsageFlags.digitalSignature,
        true,
      ),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
      new SubjectAlternativeNameExtension(
        input.names.map((name) => ({ type: "dns" as const, value: name })),
      ),
      await SubjectKeyIdentifierExtension.create(csr.publicKey),
      await AuthorityKeyIdentifierExtension.create(issuer.publicKey),
    ],
  });
  return pem(certificate);
}
