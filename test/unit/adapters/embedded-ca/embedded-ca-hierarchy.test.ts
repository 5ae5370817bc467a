import { describe, expect, it } from "vitest";
import type { CaKeyPair } from "../../../../functions/adapters/embedded-ca/embedded-ca-hierarchy.ts";
import { EmbeddedCaHierarchy } from "../../../../functions/adapters/embedded-ca/embedded-ca-hierarchy.ts";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { loadCertificate } from "../../../../functions/pki/certificate-info.ts";
import {
  createIntermediateCa,
  createRootCa,
} from "../../../../functions/pki/certificate-signing.ts";
import { exportPrivateKeyPkcs8 } from "../../../../functions/pki/key-pairs.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";

const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
const passphrases = derivedKeyPassphrases(new Uint8Array(32));

/** Whether the pair's private key is the key its certificate certifies. */
async function keyMatchesCertificate(pair: CaKeyPair): Promise<boolean> {
  const publicKey = await (await loadCertificate(pair.certificatePem)).publicKey.export();
  const fromCertificate = await crypto.subtle.exportKey("jwk", publicKey);
  const fromKey = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return fromCertificate.x === fromKey.x && fromCertificate.y === fromKey.y;
}

describe("the embedded CA hierarchy", () => {
  it("is made once when two processes start at the same time: both use the one recorded", async () => {
    const blobs = createMemoryBlobStore();
    const first = new EmbeddedCaHierarchy(new CertificateVault(blobs, passphrases), clock);
    const second = new EmbeddedCaHierarchy(new CertificateVault(blobs, passphrases), clock);

    const [a, b] = await Promise.all([first.intermediate(), second.intermediate()]);
    const [rootA, rootB] = await Promise.all([first.root(), second.root()]);
    const afterRestart = new EmbeddedCaHierarchy(new CertificateVault(blobs, passphrases), clock);

    expect(b.certificatePem).toBe(a.certificatePem);
    expect(rootB.certificatePem).toBe(rootA.certificatePem);
    expect((await afterRestart.intermediate()).certificatePem).toBe(a.certificatePem);
    expect(await keyMatchesCertificate(await afterRestart.intermediate())).toBe(true);
    expect(await keyMatchesCertificate(await afterRestart.root())).toBe(true);
    expect(await keyMatchesCertificate(b)).toBe(true);
  });

  it("publishes the root certificate, and only it, under the public folder", async () => {
    const blobs = createMemoryBlobStore();
    const vault = new CertificateVault(blobs, passphrases);

    const root = await new EmbeddedCaHierarchy(vault, clock).root();

    expect(blobs.keys().filter((key) => key.startsWith("public/"))).toEqual(["public/ca/root.pem"]);
    expect(await vault.getPublishedCaRoot()).toBe(root.certificatePem);
    expect(root.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("publishes the root again when the published copy is missing", async () => {
    const blobs = createMemoryBlobStore();
    const vault = new CertificateVault(blobs, passphrases);
    const root = await new EmbeddedCaHierarchy(vault, clock).root();
    await blobs.delete(CertificateVault.publicCaRootKey);

    await new EmbeddedCaHierarchy(vault, clock).root();

    expect(await vault.getPublishedCaRoot()).toBe(root.certificatePem);
  });

  it("keeps a hierarchy stored in the earlier layout, so chains issued under it still verify", async () => {
    const blobs = createMemoryBlobStore();
    const vault = new CertificateVault(blobs, passphrases);
    const root = await createRootCa({
      commonName: "Earlier Root",
      keyType: "EC-P384",
      notBefore: clock.now(),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    });
    const intermediate = await createIntermediateCa({
      commonName: "Earlier Issuing CA",
      issuer: root,
      keyType: "EC-P256",
      notBefore: clock.now(),
      notAfter: new Date("2035-01-01T00:00:00Z"),
    });
    for (const [name, pair] of [
      ["root", root],
      ["intermediate", intermediate],
    ] as const) {
      await vault.putSecretKey(
        `ca/embedded/${name}.key.pem`,
        await exportPrivateKeyPkcs8(pair.privateKey),
      );
      await vault.putCaMaterial(`embedded/${name}.pem`, pair.certificatePem);
    }

    const loaded = new EmbeddedCaHierarchy(vault, clock);

    expect((await loaded.intermediate()).certificatePem).toBe(intermediate.certificatePem);
    expect(await keyMatchesCertificate(await loaded.intermediate())).toBe(true);
    expect(await vault.getPublishedCaRoot()).toBe(root.certificatePem);
  });
});
