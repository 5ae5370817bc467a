import * as asn1js from "asn1js";
import { readSignedData } from "./signed-data.ts";

/**
 * What certflow reads from an X.509 certificate, read with asn1js alone. It gives the same
 * values @peculiar/x509 gives (names formatted as its Name.toString() formats them, the serial
 * as its hex, key usages as its flags), without loading that library and its DI container:
 * reading a certificate is on the path of functions that never sign.
 */
export interface CertificateFields {
  /** The serial's hex as @peculiar/x509 gives it: lowercase, a sign byte 00 dropped. */
  readonly serialNumberHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** e.g. "C=DE, O=Example, CN=example.com", in encoding order. */
  readonly subject: string;
  readonly issuer: string;
  /** The values of the subject's CN attributes, in order. */
  readonly subjectCommonNames: readonly string[];
  /** The subjectAltName DNS names as encoded. */
  readonly dnsNames: readonly string[];
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLength?: number };
  /** The key usage bits as flags (digitalSignature = 1, nonRepudiation = 2, …). */
  readonly keyUsage?: number;
  readonly extendedKeyUsages?: readonly string[];
  /** Lowercase hex. */
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
}

const OID = {
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  commonName: "2.5.4.3",
} as const;

/** The attribute names @peculiar/x509 writes; other attributes appear as their OID. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.4": "SN",
  "2.5.4.12": "T",
};

class MalformedCertificate extends Error {
  override readonly name = "MalformedCertificate";
  constructor(what: string) {
    super(`The certificate is malformed: ${what}.`);
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function single(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength)
    throw new MalformedCertificate(what);
  return parsed.result;
}

function isContext(element: asn1js.AsnType | undefined, tag: number): boolean {
  return element?.idBlock.tagClass === 3 && element.idBlock.tagNumber === tag;
}

function sequenceItems(element: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(element instanceof asn1js.Sequence)) throw new MalformedCertificate(what);
  return element.valueBlock.value;
}

/** The inside of an EXPLICIT context tag: the one element it holds. */
function explicit(element: asn1js.AsnType, what: string): asn1js.AsnType {
  const inner =
    element instanceof asn1js.Constructed && element.valueBlock.value.length === 1
      ? element.valueBlock.value[0]
      : undefined;
  if (inner === undefined) throw new MalformedCertificate(what);
  return inner;
}

function timeOf(element: asn1js.AsnType | undefined, what: string): Date {
  if (element instanceof asn1js.UTCTime || element instanceof asn1js.GeneralizedTime) {
    const date = element.toDate();
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new MalformedCertificate(what);
}

/** An attribute value as @peculiar/asn1-x509 reads it: a directory string, IA5, or raw. */
function attributeValue(value: asn1js.AsnType): { text: string } | { raw: Uint8Array } {
  if (
    value instanceof asn1js.TeletexString ||
    value instanceof asn1js.PrintableString ||
    value instanceof asn1js.UniversalString ||
    value instanceof asn1js.Utf8String ||
    value instanceof asn1js.BmpString ||
    value instanceof asn1js.IA5String
  ) {
    return { text: value.valueBlock.value };
  }
  return { raw: new Uint8Array(value.valueBeforeDecodeView) };
}

/** RFC 4514-style escaping, exactly as @peculiar/x509 escapes. */
function escapeValue(text: string): string {
  return text
    .replace(/([,+"\\<>;])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/([ ]$)/, "\\$1")
    .replace(
      /([\r\n\t])/,
      (character) => `\\${Buffer.from(character, "utf8").toString("hex").toUpperCase()}`,
    );
}

interface ReadName {
  readonly text: string;
  readonly commonNames: string[];
}

function readName(element: asn1js.AsnType | undefined, what: string): ReadName {
  const rdns = sequenceItems(element, what);
  const commonNames: string[] = [];
  const text = rdns
    .map((rdn) => {
      if (!(rdn instanceof asn1js.Set)) throw new MalformedCertificate(what);
      return rdn.valueBlock.value
        .map((attribute) => {
          const [type, value, ...rest] = sequenceItems(attribute, what);
          if (
            !(type instanceof asn1js.ObjectIdentifier) ||
            value === undefined ||
            rest.length > 0
          ) {
            throw new MalformedCertificate(what);
          }
          const oid = type.valueBlock.toString();
          const read = attributeValue(value);
          if (oid === OID.commonName) {
            commonNames.push("raw" in read ? hex(read.raw) : read.text);
          }
          const shown = "raw" in read ? `#${hex(read.raw)}` : escapeValue(read.text);
          return `${ATTRIBUTE_NAMES[oid] ?? oid}=${shown}`;
        })
        .join("+");
    })
    .join(", ");
  return { text, commonNames };
}

/** The bits of a BIT STRING as one number, bit 0 lowest (as @peculiar/asn1-schema reads it). */
function bitsAsNumber(bits: asn1js.BitString): number {
  let text = "";
  for (const octet of bits.valueBlock.valueHexView) text += octet.toString(2).padStart(8, "0");
  text = text.split("").reverse().join("");
  const unused = bits.valueBlock.unusedBits;
  if (unused) text = text.slice(unused).padStart(unused, "0");
  return Number.parseInt(text, 2);
}

interface Extensions {
  dnsNames: string[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  keyUsage?: number;
  extendedKeyUsages?: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
}

function readExtension(extensions: Extensions, oid: string, value: Uint8Array) {
  const what = `extension ${oid}`;
  switch (oid) {
    case OID.subjectAltName: {
      for (const name of sequenceItems(single(value, what), what)) {
        // GeneralName: otherName [0] … registeredID [8].
        if (name.idBlock.tagClass !== 3 || name.idBlock.tagNumber > 8) {
          throw new MalformedCertificate(what);
        }
        if (isContext(name, 2) && name instanceof asn1js.Primitive) {
          extensions.dnsNames.push(String.fromCharCode(...name.valueBlock.valueHexView));
        }
      }
      return;
    }
    case OID.basicConstraints: {
      const items = sequenceItems(single(value, what), what);
      let index = 0;
      let ca = false;
      if (items[index] instanceof asn1js.Boolean) {
        ca = (items[index] as asn1js.Boolean).valueBlock.value;
        index += 1;
      }
      const length = items[index];
      if (length !== undefined && !(length instanceof asn1js.Integer)) {
        throw new MalformedCertificate(what);
      }
      extensions.basicConstraints = {
        ca,
        ...(length !== undefined ? { pathLength: length.valueBlock.valueDec } : {}),
      };
      return;
    }
    case OID.keyUsage: {
      const bits = single(value, what);
      if (!(bits instanceof asn1js.BitString)) throw new MalformedCertificate(what);
      extensions.keyUsage = bitsAsNumber(bits);
      return;
    }
    case OID.extendedKeyUsage: {
      extensions.extendedKeyUsages = sequenceItems(single(value, what), what).map((usage) => {
        if (!(usage instanceof asn1js.ObjectIdentifier)) throw new MalformedCertificate(what);
        return usage.valueBlock.toString();
      });
      return;
    }
    case OID.subjectKeyId: {
      const id = single(value, what);
      if (!(id instanceof asn1js.OctetString)) throw new MalformedCertificate(what);
      extensions.subjectKeyId = hex(id.valueBlock.valueHexView);
      return;
    }
    case OID.authorityKeyId: {
      const keyId = sequenceItems(single(value, what), what).find((item) => isContext(item, 0));
      if (keyId instanceof asn1js.Primitive) {
        extensions.authorityKeyId = hex(keyId.valueBlock.valueHexView);
      }
      return;
    }
  }
}

function readExtensions(element: asn1js.AsnType | undefined): Extensions {
  const extensions: Extensions = { dnsNames: [] };
  if (element === undefined) return extensions;
  const seen = new Set<string>();
  for (const extension of sequenceItems(explicit(element, "extensions"), "extensions")) {
    const items = sequenceItems(extension, "extension");
    const [id] = items;
    const value = items[items.length - 1];
    if (
      !(id instanceof asn1js.ObjectIdentifier) ||
      !(value instanceof asn1js.OctetString) ||
      items.length > 3
    ) {
      throw new MalformedCertificate("extension");
    }
    const oid = id.valueBlock.toString();
    // As @peculiar/x509 answers: the first extension of a kind counts.
    if (seen.has(oid)) continue;
    seen.add(oid);
    readExtension(extensions, oid, new Uint8Array(value.valueBlock.valueHexView));
  }
  return extensions;
}

/** Reads a DER certificate; throws when it is not a well-formed one. */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const signed = readSignedData(der);
  const fields = signed.tbsFields.map((field) => single(field, "tbsCertificate"));
  let index = isContext(fields[0], 0) ? 1 : 0;
  const serial = fields[index++];
  if (!(serial instanceof asn1js.Integer)) throw new MalformedCertificate("serial number");
  const [algorithm] = sequenceItems(fields[index++], "signature");
  if (!(algorithm instanceof asn1js.ObjectIdentifier)) throw new MalformedCertificate("signature");
  const issuer = readName(fields[index++], "issuer");
  const [notBefore, notAfter, ...restOfValidity] = sequenceItems(fields[index++], "validity");
  if (restOfValidity.length > 0) throw new MalformedCertificate("validity");
  const subject = readName(fields[index++], "subject");
  if (!(fields[index++] instanceof asn1js.Sequence)) {
    throw new MalformedCertificate("subject public key");
  }
  while (isContext(fields[index], 1) || isContext(fields[index], 2)) index += 1;
  const extensionsField = isContext(fields[index], 3) ? fields[index++] : undefined;
  if (index !== fields.length) throw new MalformedCertificate("tbsCertificate");
  const extensions = readExtensions(extensionsField);

  let serialBytes = new Uint8Array(serial.valueBlock.valueHexView);
  if (serialBytes.length > 1 && serialBytes[0] === 0x00 && (serialBytes[1] ?? 0) > 0x7f) {
    serialBytes = serialBytes.slice(1);
  }
  return {
    serialNumberHex: hex(serialBytes),
    notBefore: timeOf(notBefore, "notBefore"),
    notAfter: timeOf(notAfter, "notAfter"),
    subject: subject.text,
    issuer: issuer.text,
    subjectCommonNames: subject.commonNames,
    dnsNames: extensions.dnsNames,
    ...(extensions.basicConstraints !== undefined
      ? { basicConstraints: extensions.basicConstraints }
      : {}),
    ...(extensions.keyUsage !== undefined ? { keyUsage: extensions.keyUsage } : {}),
    ...(extensions.extendedKeyUsages !== undefined
      ? { extendedKeyUsages: extensions.extendedKeyUsages }
      : {}),
    ...(extensions.subjectKeyId !== undefined ? { subjectKeyId: extensions.subjectKeyId } : {}),
    ...(extensions.authorityKeyId !== undefined
      ? { authorityKeyId: extensions.authorityKeyId }
      : {}),
  };
}
