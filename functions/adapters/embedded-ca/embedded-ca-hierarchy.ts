import { randomBytes } from "node:crypto";
import type { Clock } from "../../domain/clock.ts";
import type { CaKeys } from "../../pki/certificate-signing.ts";
import { exportPrivateKeyPkcs8 } from "../../pki/key-pairs.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";

/** The PKI code (asn1js) loads with the first CA key read or made, not when a function starts. */
async function importCaKey(pkcs8: Uint8Array): Promise<CaKeys["privateKey"]> {
  const { importPrivateKeyPkcs8 } = await import("../../pki/key-import.ts");
  return importPrivateKeyPkcs8(pkcs8);
}

export interface CaKeyPair {
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
}

interface Hierarchy {
  readonly root: CaKeyPair;
  readonly intermediate: CaKeyPair;
}

/**
 * The one record that says which hierarchy is the CA's: both certificates, and where the key of
 * each is kept. It is written once, conditionally; whoever wrote it first made the hierarchy.
 */
interface HierarchyRecord {
  readonly rootCertificatePem: string;
  readonly rootKey: string;
  readonly intermediateCertificatePem: string;
  readonly intermediateKey: string;
}

const YEAR_MS = 365 * 86_400_000;
const RECORD = "embedded/hierarchy.json";
/** Where hierarchies made before the record existed keep their certificates and keys. */
const EARLIER_LAYOUT = {
  rootCertificate: "embedded/root.pem",
  rootKey: "ca/embedded/root.key.pem",
  intermediateCertificate: "embedded/intermediate.pem",
  intermediateKey: "ca/embedded/intermediate.key.pem",
} as const;
/** How often a process that lost the race reads again for the winner's record (S3 409s). */
const READ_ATTEMPTS = 5;

/**
 * The embedded CA's root and intermediate: made once, kept in the vault (keys encrypted), and
 * loaded from there after a restart so issued chains keep verifying. Two processes starting at
 * once may both make a hierarchy; each keeps its keys under a name of its own and then writes
 * the hierarchy record only if none exists, so exactly one hierarchy wins and both use it: no
 * process ever pairs one run's key with another run's certificate. The root certificate is
 * published under the vault's public folder, the one place GET /v1/ca/root.pem reads.
 */
export class EmbeddedCaHierarchy {
  readonly #vault: CertificateVault;
  readonly #clock: Clock;
  #loading: Promise<Hierarchy> | undefined;

  constructor(vault: CertificateVault, clock: Clock) {
    this.#vault = vault;
    this.#clock = clock;
  }

  async root(): Promise<CaKeyPair> {
    return (await this.#load()).root;
  }

  async intermediate(): Promise<CaKeyPair> {
    return (await this.#load()).intermediate;
  }

  #load() {
    this.#loading ??= this.#loadOrCreate().catch((error: unknown) => {
      this.#loading = undefined;
      throw error;
    });
    return this.#loading;
  }

  async #loadOrCreate(): Promise<Hierarchy> {
    const existing = await this.#loadRecorded();
    if (existing !== undefined) return existing;

    const [record, made] = (await this.#earlierHierarchy()) ?? (await this.#makeHierarchy());
    if (await this.#vault.putCaMaterialIfAbsent(RECORD, JSON.stringify(record))) {
      await this.#publish(made.root.certificatePem);
      return made;
    }
    // Another process recorded its hierarchy first: use that one (this run's keys stay unused).
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      const winner = await this.#loadRecorded();
      if (winner !== undefined) return winner;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
    throw new Error("The embedded CA's hierarchy record exists but cannot be read yet.");
  }

  async #loadRecorded(): Promise<Hierarchy | undefined> {
    const text = await this.#vault.getCaMaterial(RECORD);
    if (text === undefined) return undefined;
    const record = JSON.parse(text) as HierarchyRecord;
    const hierarchy = {
      root: await this.#pair(record.rootCertificatePem, record.rootKey),
      intermediate: await this.#pair(record.intermediateCertificatePem, record.intermediateKey),
    };
    if ((await this.#vault.getPublishedCaRoot()) !== hierarchy.root.certificatePem) {
      await this.#publish(hierarchy.root.certificatePem);
    }
    return hierarchy;
  }

  async #pair(certificatePem: string, keyName: string): Promise<CaKeyPair> {
    const pkcs8 = await this.#vault.getSecretKey(keyName);
    if (pkcs8 === undefined) {
      throw new Error(`The embedded CA's key ${keyName} named by its hierarchy record is missing.`);
    }
    return { certificatePem, privateKey: await importCaKey(pkcs8) };
  }

  /** A hierarchy kept in the earlier layout (no record yet): recorded as it is, never remade. */
  async #earlierHierarchy(): Promise<[HierarchyRecord, Hierarchy] | undefined> {
    const rootPem = await this.#vault.getCaMaterial(EARLIER_LAYOUT.rootCertificate);
    const intermediatePem = await this.#vault.getCaMaterial(EARLIER_LAYOUT.intermediateCertificate);
    if (rootPem === undefined || intermediatePem === undefined) return undefined;
    const rootKey = await this.#vault.getSecretKey(EARLIER_LAYOUT.rootKey);
    const intermediateKey = await this.#vault.getSecretKey(EARLIER_LAYOUT.intermediateKey);
    if (rootKey === undefined || intermediateKey === undefined) return undefined;
    const record: HierarchyRecord = {
      rootCertificatePem: rootPem,
      rootKey: EARLIER_LAYOUT.rootKey,
      intermediateCertificatePem: intermediatePem,
      intermediateKey: EARLIER_LAYOUT.intermediateKey,
    };
    return [
      record,
      {
        root: { certificatePem: rootPem, privateKey: await importCaKey(rootKey) },
        intermediate: {
          certificatePem: intermediatePem,
          privateKey: await importCaKey(intermediateKey),
        },
      },
    ];
  }

  /** A new root and intermediate, their keys stored under this run's own names. */
  async #makeHierarchy(): Promise<[HierarchyRecord, Hierarchy]> {
    const now = this.#clock.now();
    const { createIntermediateCa, createRootCa } = await import("../../pki/certificate-signing.ts");
    const root = await createRootCa({
      commonName: "certflow Embedded Root CA",
      keyType: "EC-P384",
      notBefore: now,
      notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    });
    const intermediate = await createIntermediateCa({
      commonName: "certflow Embedded Issuing CA",
      issuer: root,
      keyType: "EC-P256",
      notBefore: now,
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    });
    const run = `ca/embedded/${now.toISOString().replace(/[-:.]/g, "")}-${randomBytes(6).toString("hex")}`;
    const record: HierarchyRecord = {
      rootCertificatePem: root.certificatePem,
      rootKey: `${run}/root.key.pem`,
      intermediateCertificatePem: intermediate.certificatePem,
      intermediateKey: `${run}/intermediate.key.pem`,
    };
    await this.#vault.putSecretKey(record.rootKey, await exportPrivateKeyPkcs8(root.privateKey));
    await this.#vault.putSecretKey(
      record.intermediateKey,
      await exportPrivateKeyPkcs8(intermediate.privateKey),
    );
    return [record, { root, intermediate }];
  }

  async #publish(rootCertificatePem: string): Promise<void> {
    await this.#vault.publishCaRoot(rootCertificatePem);
  }
}
