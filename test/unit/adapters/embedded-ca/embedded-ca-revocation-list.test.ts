import "reflect-metadata";
import {
  CRLDistributionPointsExtension,
  X509Certificate,
  X509Crl,
  X509CrlReason,
} from "@peculiar/x509";
import * as asn1js from "asn1js";
import { describe, expect, it } from "vitest";
import { EmbeddedCertificateAuthority } from "../../../../functions/adapters/embedded-ca/embedded-ca-authority.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";
import { buildCsr } from "../../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../../functions/pki/key-pairs.ts";
import { CRL_NUMBER_OID } from "../../../../functions/pki/revocation-list.ts";
import type { BlobStore } from "../../../../functions/ports/blob-store.ts";
import { CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";

const START = new Date("2027-01-10T08:00:00Z");
const DAY = 86_400;

/** The published CRL, parsed; with its CRL number. */
async function publishedCrl(blobs: BlobStore) {
  const der = await blobs.get("public/ca/crl.der");
  if (der === undefined) throw new Error("no CRL published");
  const crl = new X509Crl(new Uint8Array(der));
  const extension = crl.extensions.find((candidate) => candidate.type === CRL_NUMBER_OID);
  const integer = asn1js.fromBER(extension?.value ?? new ArrayBuffer(0)).result as asn1js.Integer;
  return { crl, crlNumber: integer.valueBlock.valueDec };
}

/** One process's embedded CA on the shared vault; every DCV check passes. */
function caOn(
  blobs: BlobStore,
  options: { crlBaseUrl?: string | (() => string); crlValiditySeconds?: number } = {},
) {
  const clock = fixedClock(START);
  const ca = new EmbeddedCertificateAuthority({
    vault: vaultOn(blobs),
    dcv: { check: async () => ({ ok: true }) },
    clock,
    ...(options.crlBaseUrl === undefined ? {} : { crlBaseUrl: options.crlBaseUrl }),
    ...(options.crlValiditySeconds === undefined
      ? {}
      : { crlValiditySeconds: options.crlValiditySeconds }),
  });
  return { ca, clock };
}

function vaultOn(blobs: BlobStore) {
  return new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32).fill(3)));
}

/** A certificate the CA issued for `name`. */
async function issue(ca: EmbeddedCertificateAuthority, name = "shop.example.com") {
  const names: OrderName[] = [{ ascii: name, display: name, wildcard: false }];
  const placed = await ca.placeOrder({
    orderId: "ord_1",
    names,
    method: "dns-txt",
  });
  await ca.requestValidation(placed.caOrderRef);
  const csrPem = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: [name] });
  const progress = await ca.finalize(placed.caOrderRef, csrPem, 90, { product: "DV" });
  if (progress.state !== "issued") throw new Error("not issued");
  return {
    certificatePem: progress.certificatePem,
    serial: new X509Certificate(progress.certificatePem).serialNumber,
    intermediatePem: progress.chainPems[0] ?? "",
  };
}

const revoke = (ca: EmbeddedCertificateAuthority, certificatePem: string, reason: string) =>
  ca.revoke({ tenantId: "tenant-a", certificatePem, reason });

describe("the embedded CA's CRL", () => {
  it("lists a revoked certificate with its date and reason, signed by the intermediate, and publishes it", async () => {
    // Prepare
    const blobs = createMemoryBlobStore();
    const { ca, clock } = caOn(blobs);
    const leaf = await issue(ca);
    clock.advance(3_600);

    // Act
    await revoke(ca, leaf.certificatePem, "keyCompromise");

    // Assess
    const { crl, crlNumber } = await publishedCrl(blobs);
    const intermediate = new X509Certificate(leaf.intermediatePem);
    expect(crl.issuer).toBe(intermediate.subject);
    expect(await crl.verify({ publicKey: intermediate })).toBe(true);
    expect(crlNumber).toBe(1);
    const entry = crl.findRevoked(leaf.serial);
    expect(entry?.reason).toBe(X509CrlReason.keyCompromise);
    expect(entry?.revocationDate).toEqual(new Date("2027-01-10T09:00:00Z"));
    expect(blobs.contentType("public/ca/crl.der")).toBe("application/pkix-crl");
  });

  it("lists a certificate once however often its revocation is asked for, with the first date and reason", async () => {
    // Prepare
    const blobs = createMemoryBlobStore();
    const { ca, clock } = caOn(blobs);
    const leaf = await issue(ca);
    await revoke(ca, leaf.certificatePem, "superseded");
    clock.advance(600);

    // Act
    await revoke(ca, leaf.certificatePem, "superseded");
    await revoke(ca, leaf.certificatePem, "keyCompromise");

    // Assess
    const { crl } = await publishedCrl(blobs);
    expect(crl.entries.map((entry) => [entry.serialNumber, entry.reason])).toEqual([
      [leaf.serial, X509CrlReason.superseded],
    ]);
    expect(crl.entries[0]?.revocationDate).toEqual(START);
  });

  it("numbers each list higher, and keeps nextUpdate the configured time after thisUpdate", async () => {
    // Prepare
    const blobs = createMemoryBlobStore();
    const { ca, clock } = caOn(blobs, { crlValiditySeconds: 3 * DAY });
    const first = await issue(ca, "a.example.com");
    const second = await issue(ca, "b.example.com");

    // Act
    const numbers: number[] = [];
    const dates: [Date, Date | undefined][] = [];
    const look = async () => {
      const { crl, crlNumber } = await publishedCrl(blobs);
      numbers.push(crlNumber);
      dates.push([crl.thisUpdate, crl.nextUpdate]);
    };
    await ca.refreshRevocationList();
    await look();
    await revoke(ca, first.certificatePem, "cessationOfOperation");
    await look();
    clock.advance(DAY);
    const refreshed = await ca.refreshRevocationList();
    await look();
    await revoke(ca, second.certificatePem, "unspecified");
    await look();

    // Assess
    expect(numbers).toEqual([1, 2, 3, 4]);
    // Dated a minute back, as certificates are.
    expect(dates[2]).toEqual([new Date("2027-01-11T07:59:00Z"), new Date("2027-01-14T07:59:00Z")]);
    expect(refreshed).toEqual({
      crlNumber: 3,
      thisUpdate: new Date("2027-01-11T07:59:00Z"),
      nextUpdate: new Date("2027-01-14T07:59:00Z"),
      revoked: 1,
    });
    const { crl } = await publishedCrl(blobs);
    expect(crl.entries.map((entry) => [entry.serialNumber, entry.reason])).toEqual([
      [first.serial, X509CrlReason.cessationOfOperation],
      [second.serial, undefined],
    ]);
  });

  it("is valid for 7 days unless configured otherwise, and refuses a validity under an hour", async () => {
    const blobs = createMemoryBlobStore();
    const { ca } = caOn(blobs);

    const published = await ca.refreshRevocationList();

    expect(published.nextUpdate.getTime() - published.thisUpdate.getTime()).toBe(7 * DAY * 1000);
    expect(() => caOn(blobs, { crlValiditySeconds: 600 })).toThrow(/at least an hour/);
  });

  it("keeps every revocation when processes revoke at once, each list under its own number", async () => {
    // Prepare: three processes on one vault.
    const blobs = createMemoryBlobStore();
    const processes = [caOn(blobs).ca, caOn(blobs).ca, caOn(blobs).ca];
    const leaves = [];
    for (const [index, ca] of processes.entries()) {
      leaves.push(
        await issue(ca, `p${index}.example.com`),
        await issue(ca, `q${index}.example.com`),
      );
    }

    // Act
    await Promise.all([
      ...leaves.map((leaf, index) =>
        revoke(
          processes[index % 3] as EmbeddedCertificateAuthority,
          leaf.certificatePem,
          "superseded",
        ),
      ),
      processes[0]?.refreshRevocationList(),
      processes[1]?.refreshRevocationList(),
    ]);

    // Assess
    const { crl, crlNumber } = await publishedCrl(blobs);
    expect(crl.entries.map((entry) => entry.serialNumber).sort()).toEqual(
      leaves.map((leaf) => leaf.serial).sort(),
    );
    const lists = blobs.keys().filter((key) => key.startsWith("ca/embedded/crls/"));
    expect(crlNumber).toBe(lists.length);
    expect(lists).toHaveLength(8);
  });

  it("ends with the latest list published when an older list's write lands last", async () => {
    // Prepare: process A's write of its list is held until process B has signed and published
    // a later one.
    const blobs = createMemoryBlobStore();
    const held = Promise.withResolvers<void>();
    const holding: BlobStore = {
      ...blobs,
      async put(key, body, contentType) {
        if (key === "public/ca/crl.der") await held.promise;
        return blobs.put(key, body, contentType);
      },
    };
    const a = caOn(holding).ca;
    const b = caOn(blobs).ca;
    const leaf = await issue(b);
    const aRefresh = a.refreshRevocationList();
    while (!blobs.keys().includes("ca/embedded/crls/0000000000000001.json")) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // Act
    await revoke(b, leaf.certificatePem, "keyCompromise");
    held.resolve();
    const aPublished = await aRefresh;

    // Assess
    const { crl, crlNumber } = await publishedCrl(blobs);
    expect(crlNumber).toBe(2);
    expect(aPublished.crlNumber).toBe(2);
    expect(crl.findRevoked(leaf.serial)?.reason).toBe(X509CrlReason.keyCompromise);
  });

  it("keeps a revocation whose CRL could not be published, and publishes it when asked again", async () => {
    // Prepare
    const blobs = createMemoryBlobStore();
    let failing = true;
    const failingPublication: BlobStore = {
      ...blobs,
      async put(key, body, contentType) {
        if (failing && key === "public/ca/crl.der") {
          throw Object.assign(new Error("We encountered an internal error."), {
            name: "InternalError",
          });
        }
        return blobs.put(key, body, contentType);
      },
    };
    const { ca } = caOn(failingPublication);
    const leaf = await issue(ca);

    // Act
    const refused = await revoke(ca, leaf.certificatePem, "superseded").catch(
      (error: unknown) => error,
    );
    failing = false;
    await revoke(ca, leaf.certificatePem, "superseded");

    // Assess
    expect(refused).toBeInstanceOf(CaUnavailable);
    const { crl, crlNumber } = await publishedCrl(blobs);
    expect(crlNumber).toBe(1);
    expect(crl.entries.map((entry) => entry.serialNumber)).toEqual([leaf.serial]);
  });

  it("names <base>/v1/ca/crl as every certificate's CRL distribution point, and none without a base", async () => {
    const distributionPoints = (certificatePem: string) =>
      new X509Certificate(certificatePem)
        .getExtension(CRLDistributionPointsExtension)
        ?.distributionPoints.flatMap(
          (point) =>
            point.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier) ?? [],
        );
    let listening = "http://127.0.0.1:0";
    const fixed = caOn(createMemoryBlobStore(), { crlBaseUrl: "https://pki.example/prod/" }).ca;
    const late = caOn(createMemoryBlobStore(), { crlBaseUrl: () => listening }).ca;
    const none = caOn(createMemoryBlobStore()).ca;
    listening = "http://127.0.0.1:41234";

    expect(distributionPoints((await issue(fixed)).certificatePem)).toEqual([
      "https://pki.example/prod/v1/ca/crl",
    ]);
    expect(distributionPoints((await issue(late)).certificatePem)).toEqual([
      "http://127.0.0.1:41234/v1/ca/crl",
    ]);
    expect(distributionPoints((await issue(none)).certificatePem)).toBeUndefined();
  });
});
