import type { Clock } from "../../domain/clock.ts";
import { createIntermediateCa, createRootCa } from "../../pki/certificate-signing.ts";
import { importPrivateKeyPkcs8 } from "../../pki/key-import.ts";
import { exportPrivateKeyPkcs8 } from "../../pki/key-pairs.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";

export interface CaKeyPair {
  readonly certificatePem: string;
  readonly privateKey: CryptoKey;
}

const YEAR_MS = 365 * 86_400_000;

/**
 * The embedded CA's root and intermediate: made on first use, kept in the vault (keys
 * encrypted), and loaded from there after a restart so issued chains keep verifying.
 */
export class EmbeddedCaHierarchy {
  readonly #vault: CertificateVault;
  readonly #clock: Clock;
  #loading: Promise<{ root: CaKeyPair; intermediate: CaKeyPair }> | undefined;

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

  async #loadOrCreate() {
    const root = await this.#loadPair("root");
    const intermediate = await this.#loadPair("intermediate");
    if (root !== undefined && intermediate !== undefined) return { root, intermediate };

    const now = this.#clock.now();
    const newRoot = await createRootCa({
      commonName: "certflow Embedded Root CA",
      keyType: "EC-P384",
      notBefore: now,
      notAfter: new Date(now.getTime() + 20 * YEAR_MS),
    });
    const newIntermediate = await createIntermediateCa({
      commonName: "certflow Embedded Issuing CA",
      issuer: newRoot,
      keyType: "EC-P256",
      notBefore: now,
      notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    });
    await this.#savePair("root", newRoot);
    await this.#savePair("intermediate", newIntermediate);
    return { root: newRoot, intermediate: newIntermediate };
  }

  async #loadPair(name: string): Promise<CaKeyPair | undefined> {
    const certificatePem = await this.#vault.getCaMaterial(`embedded/${name}.pem`);
    const pkcs8 = await this.#vault.getSecretKey(`ca/embedded/${name}.key.pem`);
    if (certificatePem === undefined || pkcs8 === undefined) return undefined;
    return { certificatePem, privateKey: await importPrivateKeyPkcs8(pkcs8) };
  }

  async #savePair(name: string, pair: CaKeyPair): Promise<void> {
    await this.#vault.putSecretKey(
      `ca/embedded/${name}.key.pem`,
      await exportPrivateKeyPkcs8(pair.privateKey),
    );
    await this.#vault.putCaMaterial(`embedded/${name}.pem`, pair.certificatePem);
  }
}
