import "reflect-metadata";
import {
  AuthorityKeyIdentifierExtension,
  CRLDistributionPointsExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509Crl,
  X509CrlReason,
} from "@peculiar/x509";
import * as asn1js from "asn1js";
import { describe, expect, it } from "vitest";
import { issueLeafCertificate } from "../../../functions/pki/certificate-signing.ts";
import {
  CRL_NUMBER_OID,
  derInteger,
  signRevocationList,
} from "../../../functions/pki/revocation-list.ts";
import { DURING, hierarchy, leafFor, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";

const { root, intermediate } = await hierarchy();
const THIS_UPDATE = new Date("2026-06-01T10:00:00Z");
const NEXT_UPDATE = new Date("2026-06-08T10:00:00Z");

/** The CRL number extension's value, read with asn1js. */
function crlNumberOf(crl: X509Crl): bigint {
  const extension = crl.extensions.find((candidate) => candidate.type === CRL_NUMBER_OID);
  if (extension === undefined) throw new Error("no CRL number");
  const integer = asn1js.fromBER(extension.value).result as asn1js.Integer;
  return BigInt(`0x${Buffer.from(integer.valueBlock.valueHexView).toString("hex")}`);
}

/** The CRL's tbsCertList version field as encoded (1 is v2). */
function encodedVersion(der: Uint8Array): number {
  const list = asn1js.fromBER(der).result as asn1js.Sequence;
  const tbs = list.valueBlock.value[0] as asn1js.Sequence;
  const version = tbs.valueBlock.value[0] as asn1js.Integer;
  return version.valueBlock.valueDec;
}

describe("the embedded CA's revocation list", () => {
  it("is a v2 CRL issued and signed by the intermediate, with its dates, number and key identifier", async () => {
    // Act
    const der = await signRevocationList({
      issuer: intermediate,
      crlNumber: 7n,
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
      entries: [],
    });

    // Assess
    const crl = new X509Crl(der);
    const issuer = new X509Certificate(intermediate.certificatePem);
    expect(encodedVersion(der)).toBe(1);
    expect(crl.issuer).toBe(issuer.subject);
    expect(Buffer.from(crl.issuerName.toArrayBuffer())).toEqual(
      Buffer.from(issuer.subjectName.toArrayBuffer()),
    );
    expect(crl.thisUpdate).toEqual(THIS_UPDATE);
    expect(crl.nextUpdate).toEqual(NEXT_UPDATE);
    expect(await crl.verify({ publicKey: issuer })).toBe(true);
    expect(await crl.verify({ publicKey: new X509Certificate(root.certificatePem) })).toBe(false);
    expect(crlNumberOf(crl)).toBe(7n);
    expect(crl.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(
      issuer.getExtension(SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(crl.entries).toEqual([]);
  });

  it("lists each revoked serial with its date, and its reason code unless it is unspecified", async () => {
    // Prepare
    const revokedAt = (minute: number) => new Date(Date.UTC(2026, 5, 1, 9, minute));
    const entries = [
      { serialNumberHex: "0a1b2c3d4e5f", revokedAt: revokedAt(1), reason: "keyCompromise" },
      { serialNumberHex: "7f0102", revokedAt: revokedAt(2), reason: "affiliationChanged" },
      { serialNumberHex: "1234", revokedAt: revokedAt(3), reason: "superseded" },
      { serialNumberHex: "4567", revokedAt: revokedAt(4), reason: "cessationOfOperation" },
      { serialNumberHex: "89ab", revokedAt: revokedAt(5), reason: "unspecified" },
    ] as const;

    // Act
    const crl = new X509Crl(
      await signRevocationList({
        issuer: intermediate,
        crlNumber: 2n,
        thisUpdate: THIS_UPDATE,
        nextUpdate: NEXT_UPDATE,
        entries,
      }),
    );

    // Assess
    expect(
      crl.entries.map((entry) => ({
        serial: entry.serialNumber,
        at: entry.revocationDate,
        reason: entry.reason,
        extensions: entry.extensions.length,
      })),
    ).toEqual([
      {
        serial: "0a1b2c3d4e5f",
        at: revokedAt(1),
        reason: X509CrlReason.keyCompromise,
        extensions: 1,
      },
      {
        serial: "7f0102",
        at: revokedAt(2),
        reason: X509CrlReason.affiliationChanged,
        extensions: 1,
      },
      { serial: "1234", at: revokedAt(3), reason: X509CrlReason.superseded, extensions: 1 },
      {
        serial: "4567",
        at: revokedAt(4),
        reason: X509CrlReason.cessationOfOperation,
        extensions: 1,
      },
      // RFC 5280 5.3.1 and the Baseline Requirements: no reasonCode rather than unspecified.
      { serial: "89ab", at: revokedAt(5), reason: undefined, extensions: 0 },
    ]);
  });

  it("finds a certificate the intermediate issued by its serial", async () => {
    // Prepare
    const leaf = await leafFor(intermediate);
    const certificate = new X509Certificate(leaf.certificatePem);

    // Act
    const crl = new X509Crl(
      await signRevocationList({
        issuer: intermediate,
        crlNumber: 3n,
        thisUpdate: THIS_UPDATE,
        nextUpdate: NEXT_UPDATE,
        entries: [
          { serialNumberHex: certificate.serialNumber, revokedAt: DURING, reason: "superseded" },
        ],
      }),
    );

    // Assess
    expect(crl.findRevoked(certificate)?.reason).toBe(X509CrlReason.superseded);
  });

  it("encodes CRL numbers as positive DER integers of at most 20 octets", async () => {
    expect(Buffer.from(derInteger(0n)).toString("hex")).toBe("020100");
    expect(Buffer.from(derInteger(127n)).toString("hex")).toBe("02017f");
    expect(Buffer.from(derInteger(128n)).toString("hex")).toBe("02020080");
    expect(Buffer.from(derInteger(65_536n)).toString("hex")).toBe("0203010000");
    const sign = (crlNumber: bigint) =>
      signRevocationList({
        issuer: intermediate,
        crlNumber,
        thisUpdate: THIS_UPDATE,
        nextUpdate: NEXT_UPDATE,
        entries: [],
      });
    const largest = 2n ** 159n - 1n;
    expect(crlNumberOf(new X509Crl(await sign(largest)))).toBe(largest);
    await expect(sign(2n ** 159n)).rejects.toThrow(/at most 20 octets/);
    await expect(sign(-1n)).rejects.toThrow(/non-negative/);
  });

  it("refuses a nextUpdate not after thisUpdate, a serial listed twice and an unknown reason", async () => {
    const sign = (overrides: Partial<Parameters<typeof signRevocationList>[0]>) =>
      signRevocationList({
        issuer: intermediate,
        crlNumber: 1n,
        thisUpdate: THIS_UPDATE,
        nextUpdate: NEXT_UPDATE,
        entries: [],
        ...overrides,
      });
    await expect(sign({ nextUpdate: THIS_UPDATE })).rejects.toThrow(/nextUpdate must be later/);
    await expect(
      sign({
        entries: [
          { serialNumberHex: "0abc", revokedAt: DURING, reason: "superseded" },
          { serialNumberHex: "ABC", revokedAt: DURING, reason: "keyCompromise" },
        ],
      }),
    ).rejects.toThrow(/listed twice/);
    await expect(
      sign({
        entries: [{ serialNumberHex: "01", revokedAt: DURING, reason: "certificateHold" as never }],
      }),
    ).rejects.toThrow(/not a revocation reason/);
  });
});

describe("a leaf's CRL distribution point", () => {
  const issue = async (crlDistributionPoints?: readonly string[]) => {
    const leaf = await leafFor(intermediate);
    return issueLeafCertificate({
      csrPem: leaf.csrPem,
      names: ["shop.example.com"],
      subject: { product: "DV" },
      issuer: intermediate,
      serialNumber: leaf.serialNumber,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      ...(crlDistributionPoints === undefined ? {} : { crlDistributionPoints }),
    });
  };

  it("names the URL the CA's CRL is served at, as a full name URI, not critical", async () => {
    const certificate = new X509Certificate(await issue(["https://pki.example/prod/v1/ca/crl"]));

    const extension = certificate.getExtension(CRLDistributionPointsExtension);

    expect(extension?.critical).toBe(false);
    expect(
      extension?.distributionPoints.flatMap(
        (point) =>
          point.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier) ?? [],
      ),
    ).toEqual(["https://pki.example/prod/v1/ca/crl"]);
  });

  it("is left out when the CA names none, and refuses what is not an http(s) URL", async () => {
    expect(
      new X509Certificate(await issue()).getExtension(CRLDistributionPointsExtension),
    ).toBeNull();
    await expect(issue(["ldap://pki.example/crl"])).rejects.toThrow(/http or https URLs/);
  });
});
