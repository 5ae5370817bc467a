import "reflect-metadata";
import {
  CertificatePolicyExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "@peculiar/x509";
import * as asn1js from "asn1js";
import { describe, expect, it } from "vitest";
import { KEY_TYPES, type KeyType } from "../../../functions/domain/key-types.ts";
import { verifyChain } from "../../../functions/pki/certificate-chain.ts";
import { parseCertificate } from "../../../functions/pki/certificate-info.ts";
import { createRootCa, issueLeafCertificate } from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { publicKeyMatches } from "../../../functions/pki/key-import.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { type LeafSubject, LeafSubjectError } from "../../../functions/pki/leaf-identity.ts";
import { DURING, hierarchy, leafFor, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";
import { withFlippedSignatureBit } from "./crafted-csrs.ts";

const { root, intermediate } = await hierarchy();

describe("the embedded CA's hierarchy", () => {
  it("has a root and an intermediate marked and linked as CAs", () => {
    const rootInfo = parseCertificate(root.certificatePem);
    const intermediateInfo = parseCertificate(intermediate.certificatePem);
    expect(rootInfo).toMatchObject({
      isCa: true,
      pathLength: 1,
      keyUsages: ["keyCertSign", "cRLSign"],
    });
    expect(rootInfo.authorityKeyId).toBe(rootInfo.subjectKeyId);
    expect(intermediateInfo).toMatchObject({
      isCa: true,
      pathLength: 0,
      keyUsages: ["keyCertSign", "cRLSign"],
      extendedKeyUsages: ["serverAuth", "clientAuth"],
      issuer: "CN=Test Root",
      signatureAlgorithm: "ecdsa-with-SHA384",
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(intermediateInfo.authorityKeyId).toBe(rootInfo.subjectKeyId);
    const critical = (pem: string) =>
      new X509Certificate(pem).extensions
        .filter((extension) => extension.critical)
        .map((extension) => extension.type);
    expect(critical(intermediate.certificatePem).sort()).toEqual(["2.5.29.15", "2.5.29.19"]);
  });

  it("refuses dates that end before they start", async () => {
    await expect(
      createRootCa({
        commonName: "R",
        keyType: "EC-P256",
        notBefore: NOT_AFTER,
        notAfter: NOT_BEFORE,
      }),
    ).rejects.toThrow("notAfter must be later");
  });
});

describe("issueLeafCertificate", () => {
  it.each(KEY_TYPES)(
    "issues for a %s CSR a leaf that verifies up to the root",
    async (keyType: KeyType) => {
      const names = ["shop.example.com", "www.shop.example.com"];
      const { keys, certificatePem, serialNumber } = await leafFor(intermediate, names, keyType);
      expect(
        verifyChain(certificatePem, [intermediate.certificatePem], root.certificatePem, {
          at: DURING,
        }),
      ).toEqual({
        ok: true,
        problems: [],
      });
      const info = parseCertificate(certificatePem);
      expect(info).toMatchObject({
        subject: "CN=shop.example.com",
        names,
        isCa: false,
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        publicKey: { keyType },
        keyUsages: keyType.startsWith("RSA")
          ? ["digitalSignature", "keyEncipherment"]
          : ["digitalSignature"],
        extendedKeyUsages: ["serverAuth", "clientAuth"],
        authorityKeyId: parseCertificate(intermediate.certificatePem).subjectKeyId,
      });
      expect(info.serialNumber).toBe(
        Buffer.from(serialNumber)
          .toString("hex")
          .replace(/^(00)+/, ""),
      );
      expect(publicKeyMatches(keys.privateKey, certificatePem)).toBe(true);
    },
  );

  it("leaves out a CN over 64 characters and marks the SAN critical then", async () => {
    const long = `${"a".repeat(60)}.example.com`;
    const { certificatePem } = await leafFor(intermediate, [long, "b.example.com"]);
    const info = parseCertificate(certificatePem);
    expect(info.subject).toBe("");
    expect(info.commonName).toBeUndefined();
    expect(info.names).toEqual([long, "b.example.com"]);
    expect(
      new X509Certificate(certificatePem).getExtension(SubjectAlternativeNameExtension)?.critical,
    ).toBe(true);
    const { certificatePem: short } = await leafFor(intermediate, ["b.example.com"]);
    expect(new X509Certificate(short).getExtension(SubjectAlternativeNameExtension)?.critical).toBe(
      false,
    );
  });

  it("uses the names given, not the CSR's", async () => {
    const keys = await generateKeyPair("EC-P256");
    const certificatePem = await issueLeafCertificate({
      csrPem: await buildCsr({ keys, names: ["csr.example.com"] }),
      names: ["order.example.com"],
      subject: { product: "DV" },
      issuer: intermediate,
      serialNumber: new Uint8Array(16).fill(7),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    });
    expect(parseCertificate(certificatePem).names).toEqual(["order.example.com"]);
  });

  it("signs with an RSA root as well", async () => {
    const rsa = await hierarchy("RSA-2048", "RSA-2048");
    const { certificatePem } = await leafFor(rsa.intermediate);
    expect(parseCertificate(certificatePem).signatureAlgorithm).toBe("sha256WithRSAEncryption");
    expect(
      verifyChain(certificatePem, [rsa.intermediate.certificatePem], rsa.root.certificatePem, {
        at: DURING,
      }).ok,
    ).toBe(true);
  });

  it.each([
    ["a CSR with a broken signature", { tamper: true }, "signature does not verify"],
    ["no names", { names: [] }, "at least one name"],
    ["a non-ASCII name", { names: ["bücher.example"] }, "ASCII"],
    ["a zero serial number", { serialNumber: new Uint8Array(16) }, "must not be zero"],
    ["dates in the wrong order", { notAfter: NOT_BEFORE }, "notAfter must be later"],
  ])("refuses %s", async (_, change, message) => {
    const keys = await generateKeyPair("EC-P256");
    const csrPem = await buildCsr({ keys, names: ["a.example.com"] });
    await expect(
      issueLeafCertificate({
        csrPem: "tamper" in change ? withFlippedSignatureBit(csrPem) : csrPem,
        names: "names" in change ? change.names : ["a.example.com"],
        subject: { product: "DV" },
        issuer: intermediate,
        serialNumber: "serialNumber" in change ? change.serialNumber : new Uint8Array(16).fill(1),
        notBefore: NOT_BEFORE,
        notAfter: "notAfter" in change ? change.notAfter : NOT_AFTER,
      }),
    ).rejects.toThrow(message);
  });
});

describe("issueLeafCertificate: what the certificate says its subject is", () => {
  const organization = {
    name: "Example GmbH",
    unit: "Web",
    locality: "Berlin",
    state: "Berlin",
    country: "DE",
  };
  const ev = {
    jurisdictionCountry: "DE",
    jurisdictionState: "Berlin",
    businessCategory: "Private Organization",
    registrationNumber: "HRB 12345 B",
  };
  /** A CSR whose own subject claims another organization: the CA must not copy it. */
  const evilCsr = async (names: readonly string[]) =>
    buildCsr({
      keys: await generateKeyPair("EC-P256"),
      names,
      subject: { organization: "Evil Corp", organizationalUnit: "Ops", country: "US" },
    });
  const issue = async (subject: LeafSubject, names: readonly string[] = ["shop.example.com"]) =>
    new X509Certificate(
      await issueLeafCertificate({
        csrPem: await evilCsr(names),
        names,
        subject,
        issuer: intermediate,
        serialNumber: new Uint8Array(16).fill(3),
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
      }),
    );
  /** Each RDN as `OID=value/string type`, in DER order, read with asn1js. */
  const rdns = (certificate: X509Certificate) => {
    const name = asn1js.fromBER(certificate.subjectName.toArrayBuffer()).result as asn1js.Sequence;
    return name.valueBlock.value.map((rdn) => {
      const [attribute] = (rdn as asn1js.Set).valueBlock.value as asn1js.Sequence[];
      const [type, value] = attribute?.valueBlock.value ?? [];
      const tag = value?.idBlock.tagNumber;
      const encoding = tag === 19 ? "printableString" : tag === 12 ? "utf8String" : `tag ${tag}`;
      const text = (value as asn1js.Utf8String).valueBlock.value;
      return `${(type as asn1js.ObjectIdentifier).valueBlock.toString()}=${text}/${encoding}`;
    });
  };
  const policies = (certificate: X509Certificate) =>
    certificate.getExtension(CertificatePolicyExtension)?.policies;

  it("DV: the CN only, and the domain-validated policy", async () => {
    const certificate = await issue({ product: "DV" });

    expect(rdns(certificate)).toEqual(["2.5.4.3=shop.example.com/utf8String"]);
    expect(policies(certificate)).toEqual(["2.23.140.1.2.1"]);
    expect(certificate.getExtension(CertificatePolicyExtension)?.critical).toBe(false);
  });

  it("OV: the order's organization, not the CSR's, and the organization-validated policy", async () => {
    const certificate = await issue({ product: "OV", organization });

    expect(rdns(certificate)).toEqual([
      "2.5.4.6=DE/printableString",
      "2.5.4.8=Berlin/utf8String",
      "2.5.4.7=Berlin/utf8String",
      "2.5.4.10=Example GmbH/utf8String",
      "2.5.4.11=Web/utf8String",
      "2.5.4.3=shop.example.com/utf8String",
    ]);
    expect(certificate.subject).not.toContain("Evil Corp");
    expect(policies(certificate)).toEqual(["2.23.140.1.2.2"]);
  });

  it("EV: the registration details too, and the extended-validation policy", async () => {
    const certificate = await issue({ product: "EV", organization, ev });

    expect(rdns(certificate)).toEqual([
      "2.5.4.15=Private Organization/utf8String",
      "1.3.6.1.4.1.311.60.2.1.3=DE/printableString",
      "1.3.6.1.4.1.311.60.2.1.2=Berlin/utf8String",
      "2.5.4.5=HRB 12345 B/printableString",
      "2.5.4.6=DE/printableString",
      "2.5.4.8=Berlin/utf8String",
      "2.5.4.7=Berlin/utf8String",
      "2.5.4.10=Example GmbH/utf8String",
      "2.5.4.3=shop.example.com/utf8String",
    ]);
    expect(policies(certificate)).toEqual(["2.23.140.1.1"]);
    const info = parseCertificate(certificate.toString("pem"));
    expect(info.commonName).toBe("shop.example.com");
    expect(info.subject).not.toContain("Evil Corp");
  });

  it("keeps the SAN non-critical when an OV subject has no CN (it names the organization)", async () => {
    const long = `${"a".repeat(60)}.example.com`;
    const certificate = await issue({ product: "OV", organization }, [long]);

    expect(rdns(certificate).some((rdn) => rdn.startsWith("2.5.4.3="))).toBe(false);
    expect(certificate.getExtension(SubjectAlternativeNameExtension)?.critical).toBe(false);
  });

  it("refuses an OV or EV subject without the details it names", async () => {
    await expect(issue({ product: "OV" })).rejects.toThrow(LeafSubjectError);
    await expect(issue({ product: "EV", organization })).rejects.toThrow("registration details");
  });
});
