import "reflect-metadata";
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
} from "@peculiar/x509";
import * as asn1js from "asn1js";
import { describe, expect, it } from "vitest";
import { readCertificateFields } from "../../../functions/pki/certificate-fields.ts";
import { certificateDer } from "../../../functions/pki/certificate-info.ts";
import { toArrayBuffer } from "../../../functions/pki/pem.ts";
import { hierarchy, leafFor } from "./ca-fixtures.ts";

const { root, intermediate } = await hierarchy();
const { certificatePem: leaf } = await leafFor(intermediate, ["shop.example.com", "WWW.example"]);
const rsaLeaf = (await leafFor(intermediate, ["rsa.example"], "RSA-2048")).certificatePem;

/** What @peculiar/x509, which certflow read certificates with before, reads. */
function readWithX509(der: Uint8Array) {
  const certificate = new X509Certificate(toArrayBuffer(der));
  const basicConstraints = certificate.getExtension(BasicConstraintsExtension);
  return {
    serialNumberHex: certificate.serialNumber.toLowerCase(),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    issuer: certificate.issuer,
    subjectCommonNames: certificate.subjectName.getField("CN"),
    dnsNames:
      certificate
        .getExtension(SubjectAlternativeNameExtension)
        ?.names.items.filter((name) => name.type === "dns")
        .map((name) => name.value) ?? [],
    basicConstraints:
      basicConstraints === null
        ? undefined
        : {
            ca: basicConstraints.ca,
            ...(basicConstraints.pathLength !== undefined
              ? { pathLength: basicConstraints.pathLength }
              : {}),
          },
    keyUsage: certificate.getExtension(KeyUsagesExtension)?.usages,
    extendedKeyUsages: certificate
      .getExtension(ExtendedKeyUsageExtension)
      ?.usages.map((usage) => String(usage)),
    subjectKeyId: certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId.toLowerCase(),
    authorityKeyId: certificate.getExtension(AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase(),
  };
}

const withoutUndefined = (value: object) =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));

/** The certificate with every subject and issuer attribute value replaced (signature left stale). */
function withNameValues(der: Uint8Array, value: () => asn1js.AsnType): Uint8Array {
  const certificate = asn1js.fromBER(der).result as asn1js.Sequence;
  const tbs = certificate.valueBlock.value[0] as asn1js.Sequence;
  for (const field of tbs.valueBlock.value) {
    if (!(field instanceof asn1js.Sequence)) continue;
    for (const rdn of field.valueBlock.value) {
      if (!(rdn instanceof asn1js.Set)) continue;
      for (const attribute of rdn.valueBlock.value) {
        const items = (attribute as asn1js.Sequence).valueBlock.value;
        if (items[0] instanceof asn1js.ObjectIdentifier) items[1] = value();
      }
    }
  }
  return new Uint8Array(certificate.toBER());
}

/** A certificate whose subject is `rdns`, each RDN a list of [oid, value] attributes. */
function withSubject(der: Uint8Array, rdns: [string, asn1js.AsnType][][]): Uint8Array {
  const certificate = asn1js.fromBER(der).result as asn1js.Sequence;
  const tbs = certificate.valueBlock.value[0] as asn1js.Sequence;
  const subjectIndex = tbs.valueBlock.value[0]?.idBlock.tagClass === 3 ? 5 : 4;
  tbs.valueBlock.value[subjectIndex] = new asn1js.Sequence({
    value: rdns.map(
      (rdn) =>
        new asn1js.Set({
          value: rdn.map(
            ([oid, value]) =>
              new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), value] }),
          ),
        }),
    ),
  });
  return new Uint8Array(certificate.toBER());
}

describe("readCertificateFields", () => {
  it.each([
    ["root", root.certificatePem],
    ["intermediate", intermediate.certificatePem],
    ["EC leaf", leaf],
    ["RSA leaf", rsaLeaf],
  ])("reads the %s exactly as @peculiar/x509 does", (_, pem) => {
    const der = certificateDer(pem);
    expect(withoutUndefined(readCertificateFields(der))).toEqual(
      withoutUndefined(readWithX509(der)),
    );
  });

  const strings: [string, (text: string) => asn1js.AsnType][] = [
    ["UTF8String", (text) => new asn1js.Utf8String({ value: text })],
    ["PrintableString", (text) => new asn1js.PrintableString({ value: text })],
    ["TeletexString", (text) => new asn1js.TeletexString({ value: text })],
    ["BMPString", (text) => new asn1js.BmpString({ value: text })],
    ["UniversalString", (text) => new asn1js.UniversalString({ value: text })],
    ["IA5String", (text) => new asn1js.IA5String({ value: text })],
    ["NumericString (shown raw)", (text) => new asn1js.NumericString({ value: text })],
    ["VisibleString (shown raw)", (text) => new asn1js.VisibleString({ value: text })],
  ];
  const texts = [
    "plain",
    "",
    'a,b+c"d\\e<f>g;h',
    " lead",
    "#hash",
    "trail ",
    "ümlaut €",
    "a\nb\tc",
  ];
  it.each(strings.flatMap(([kind, make]) => texts.map((text) => [kind, text, make] as const)))(
    "names a %s value %j as @peculiar/x509 does, escapes included",
    (_, text, make) => {
      const der = withNameValues(certificateDer(leaf), () => make(text));
      const read = readCertificateFields(der);
      const expected = readWithX509(der);
      expect(read.subject).toBe(expected.subject);
      expect(read.issuer).toBe(expected.issuer);
      expect(read.subjectCommonNames).toEqual(expected.subjectCommonNames);
    },
  );

  it("writes multi-valued RDNs with +, and attributes it has no name for as their OID", () => {
    const der = withSubject(certificateDer(leaf), [
      [["2.5.4.6", new asn1js.PrintableString({ value: "DE" })]],
      [
        ["2.5.4.3", new asn1js.Utf8String({ value: "multi" })],
        ["2.5.4.10", new asn1js.Utf8String({ value: "valued" })],
      ],
      [["2.5.4.5", new asn1js.PrintableString({ value: "12345" })]],
      [["0.9.2342.19200300.100.1.25", new asn1js.IA5String({ value: "example" })]],
      [["1.2.840.113549.1.9.1", new asn1js.IA5String({ value: "a@example.com" })]],
      [["2.5.4.3", new asn1js.Utf8String({ value: "second" })]],
    ]);
    const read = readCertificateFields(der);
    expect(read.subject).toBe(
      "C=DE, CN=multi+O=valued, 2.5.4.5=12345, DC=example, E=a@example.com, CN=second",
    );
    expect(read.subjectCommonNames).toEqual(["multi", "second"]);
    expect(read.subject).toBe(readWithX509(der).subject);
  });

  it("refuses a certificate whose signed part lacks its fields", () => {
    const certificate = asn1js.fromBER(certificateDer(leaf)).result as asn1js.Sequence;
    const tbs = certificate.valueBlock.value[0] as asn1js.Sequence;
    tbs.valueBlock.value = tbs.valueBlock.value.slice(0, 4);
    expect(() => readCertificateFields(new Uint8Array(certificate.toBER()))).toThrow(
      "The certificate is malformed",
    );
  });
});
