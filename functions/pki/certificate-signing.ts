import type { AuthorityKeyIdentifierExtension, Extension, X509Certificate } from "@peculiar/x509";
import type { KeyType } from "../domain/key-types.ts";
import { loadCertificate } from "./certificate-info.ts";
import { subjectRdns } from "./csr-build.ts";
import { describeSpki, generateKeyPair, signingAlgorithmFor } from "./key-pairs.ts";
import { type LeafSubject, leafPolicyOid, leafSubjectAttributes } from "./leaf-identity.ts";
import { findPemBlock, toArrayBuffer } from "./pem.ts";
import { checkSignature, readSignedData, subjectPublicKeyInfoOf } from "./signed-data.ts";
import { type X509Library, x509Library } from "./x509-library.ts";

/** A CA certificate with the private key that signs for it. */
export interface CaKeys {
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
}

interface CaRequest {
  readonly commonName: string;
  readonly keyType: KeyType;
  readonly organization?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const toPemText = (certificate: X509Certificate) => `${certificate.toString("pem").trim()}\n`;

function checkValidity(notBefore: Date, notAfter: Date): void {
  if (!(notAfter.getTime() > notBefore.getTime())) {
    throw new Error("notAfter must be later than notBefore.");
  }
}

/** A random positive 128-bit serial number (hex), as CAs should use. */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}

/** The authority key identifier pointing at the issuer: its own SKI when it has one. */
export async function authorityKeyId(
  { AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension }: X509Library,
  issuer: X509Certificate,
): Promise<AuthorityKeyIdentifierExtension> {
  const keyId = issuer.getExtension(SubjectKeyIdentifierExtension)?.keyId;
  return keyId === undefined
    ? AuthorityKeyIdentifierExtension.create(issuer.publicKey)
    : new AuthorityKeyIdentifierExtension(keyId);
}

const caKeyUsage = ({ KeyUsagesExtension, KeyUsageFlags }: X509Library) =>
  new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true);

/** A self-signed root: CA (critical, path length 1), keyCertSign + cRLSign (critical), SKI/AKI. */
export async function createRootCa(input: CaRequest): Promise<CaKeys> {
  checkValidity(input.notBefore, input.notAfter);
  const x509 = await x509Library();
  const {
    AuthorityKeyIdentifierExtension,
    BasicConstraintsExtension,
    SubjectKeyIdentifierExtension,
    X509CertificateGenerator,
  } = x509;
  const keys = await generateKeyPair(input.keyType);
  const subjectKeyId = await SubjectKeyIdentifierExtension.create(keys.publicKey);
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectRdns(input.commonName, { organization: input.organization }),
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    keys,
    signingAlgorithm: signingAlgorithmFor(keys.privateKey),
    extensions: [
      new BasicConstraintsExtension(true, 1, true),
      caKeyUsage(x509),
      subjectKeyId,
      new AuthorityKeyIdentifierExtension(subjectKeyId.keyId),
    ],
  });
  return { certificatePem: toPemText(certificate), privateKey: keys.privateKey };
}

/**
 * An issuing CA signed by `issuer`: CA (critical, path length 0), keyCertSign + cRLSign
 * (critical), serverAuth + clientAuth only, SKI/AKI.
 */
export async function createIntermediateCa(input: CaRequest & { issuer: CaKeys }): Promise<CaKeys> {
  checkValidity(input.notBefore, input.notAfter);
  const x509 = await x509Library();
  const {
    BasicConstraintsExtension,
    ExtendedKeyUsage,
    ExtendedKeyUsageExtension,
    SubjectKeyIdentifierExtension,
    X509CertificateGenerator,
  } = x509;
  const keys = await generateKeyPair(input.keyType);
  const issuer = await loadCertificate(input.issuer.certificatePem);
  const certificate = await X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectRdns(input.commonName, { organization: input.organization }),
    issuer: issuer.subjectName,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: keys.publicKey,
    signingKey: input.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(input.issuer.privateKey),
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      caKeyUsage(x509),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyId(x509, issuer),
    ],
  });
  return { certificatePem: toPemText(certificate), privateKey: keys.privateKey };
}

/** The CSR's public key (SubjectPublicKeyInfo DER), once its self-signature is checked. */
function verifiedCsrKey(csrPem: string): Uint8Array {
  const block = findPemBlock(csrPem, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
  if (block === undefined) throw new Error("No PEM certificate request to sign.");
  const signed = readSignedData(block.der);
  const spki = subjectPublicKeyInfoOf(signed, "csr");
  if (checkSignature(signed, spki) !== "valid") {
    throw new Error("The CSR's signature does not verify; it is not signed.");
  }
  return spki;
}

/**
 * A TLS server certificate for the CSR's key: SAN = `names` (ASCII), CN = the first name when it
 * fits in 64 characters, digitalSignature (+ keyEncipherment for RSA), serverAuth + clientAuth,
 * CA:false, SKI/AKI, and the CA/Browser Forum policy of the product. The rest of the subject
 * comes from `subject` (see leafSubjectAttributes: DV none, OV the organization, EV also its
 * registration), never from the CSR. An empty subject (DV without a CN) makes the SAN critical,
 * per RFC 5280. With `crlDistributionPoints`, it names where the issuer's CRL is published. Dates
 * and serial number are the caller's: nothing here reads the clock.
 */
export async function issueLeafCertificate(input: {
  csrPem: string;
  names: readonly string[];
  /** What the certificate says its subject is, from the validated order. */
  subject: LeafSubject;
  issuer: CaKeys;
  /** Random, 16 bytes or more; encoded as a positive integer. */
  serialNumber: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Where the issuer's CRL is published (the CRL distribution points extension), if anywhere. */
  crlDistributionPoints?: readonly string[];
}): Promise<string> {
  const [firstName] = input.names;
  if (firstName === undefined) throw new Error("A certificate needs at least one name.");
  if (input.names.some((name) => !/^[\x21-\x7e]+$/.test(name))) {
    throw new Error("Certificate names must be ASCII (punycode) domain names.");
  }
  if (!input.serialNumber.some((byte) => byte !== 0)) {
    throw new Error("The serial number must not be zero.");
  }
  checkValidity(input.notBefore, input.notAfter);
  const commonName = firstName.length <= 64 ? firstName : undefined;
  const attributes = leafSubjectAttributes(commonName, input.subject);
  const spki = toArrayBuffer(verifiedCsrKey(input.csrPem));
  const isRsa = describeSpki(new Uint8Array(spki)).algorithm === "RSA";
  const x509 = await x509Library();
  const {
    BasicConstraintsExtension,
    CertificatePolicyExtension,
    CRLDistributionPointsExtension,
    ExtendedKeyUsage,
    ExtendedKeyUsageExtension,
    KeyUsageFlags,
    KeyUsagesExtension,
    Name,
    SubjectAlternativeNameExtension,
    SubjectKeyIdentifierExtension,
    X509CertificateGenerator,
  } = x509;
  const issuer = await loadCertificate(input.issuer.certificatePem);
  // Each attribute with its string type spelled out: the library would otherwise pick
  // PrintableString for any value that fits one.
  const subject = new Name(
    attributes.map((attribute) => ({
      [attribute.oid]: [{ [attribute.encoding]: attribute.value }],
    })),
  );
  const extensions: Extension[] = [
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
      attributes.length === 0,
    ),
    new CertificatePolicyExtension([leafPolicyOid(input.subject.product)]),
    await SubjectKeyIdentifierExtension.create(spki),
    await authorityKeyId(x509, issuer),
  ];
  const distributionPoints = input.crlDistributionPoints ?? [];
  if (distributionPoints.some((url) => !/^https?:\/\/[\x21-\x7e]+$/.test(url))) {
    throw new Error("CRL distribution points must be http or https URLs.");
  }
  if (distributionPoints.length > 0) {
    extensions.push(new CRLDistributionPointsExtension([...distributionPoints]));
  }
  const certificate = await X509CertificateGenerator.create({
    serialNumber: Buffer.from(input.serialNumber).toString("hex"),
    subject,
    issuer: issuer.subjectName,
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    publicKey: spki,
    signingKey: input.issuer.privateKey,
    signingAlgorithm: signingAlgorithmFor(input.issuer.privateKey),
    extensions,
  });
  return toPemText(certificate);
}
