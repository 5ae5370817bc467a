import type { BlobStore } from "../ports/blob-store.ts";
import type { KeyPassphrases } from "./key-passphrases.ts";
import { openSecret, sealSecret } from "./sealed-secrets.ts";

/** The key encryption (with asn1js) loads with the first key stored or read, not at start. */
let keyEncryption: Promise<typeof import("../pki/private-key-encryption.ts")> | undefined;
const loadKeyEncryption = () => {
  keyEncryption ??= import("../pki/private-key-encryption.ts");
  return keyEncryption;
};

export interface StoredCertificate {
  readonly certificatePem: string;
  readonly chainPem: string;
  readonly fullchainPem: string;
}

const text = new TextDecoder();

/**
 * The key layout of certificate material in object storage. Private keys are written only as
 * encrypted PKCS#8; everything else is public material or customer documents.
 */
export class CertificateVault {
  readonly #blobs: BlobStore;
  readonly #passphrases: KeyPassphrases;

  constructor(blobs: BlobStore, passphrases: KeyPassphrases) {
    this.#blobs = blobs;
    this.#passphrases = passphrases;
  }

  static privateKeyKey(orderId: string): string {
    return `private-keys/${orderId}.key.pem`;
  }

  async putPrivateKey(orderId: string, pkcs8: Uint8Array): Promise<void> {
    await this.putSecretKey(CertificateVault.privateKeyKey(orderId), pkcs8);
  }

  async getPrivateKey(orderId: string): Promise<Uint8Array | undefined> {
    return this.getSecretKey(CertificateVault.privateKeyKey(orderId));
  }

  async hasPrivateKey(orderId: string): Promise<boolean> {
    return (await this.#blobs.get(CertificateVault.privateKeyKey(orderId))) !== undefined;
  }

  /** Any private key (order keys, CA keys, ACME account keys) encrypted under its own key. */
  async putSecretKey(objectKey: string, pkcs8: Uint8Array): Promise<void> {
    const { encryptPrivateKey } = await loadKeyEncryption();
    const pem = await encryptPrivateKey(pkcs8, await this.#passphrases.forObject(objectKey));
    await this.#blobs.put(objectKey, pem, "application/pkcs8");
  }

  /**
   * Stores a private key only if none is stored under the name yet, and answers the key that is
   * stored after the call: this one, or the one another process wrote first.
   */
  async putSecretKeyIfAbsent(objectKey: string, pkcs8: Uint8Array): Promise<Uint8Array> {
    const { encryptPrivateKey } = await loadKeyEncryption();
    const pem = await encryptPrivateKey(pkcs8, await this.#passphrases.forObject(objectKey));
    if (await this.#blobs.putIfAbsent(objectKey, pem, "application/pkcs8")) return pkcs8;
    const stored = await this.getSecretKey(objectKey);
    if (stored === undefined) throw new Error(`The key ${objectKey} was written and is gone.`);
    return stored;
  }

  async getSecretKey(objectKey: string): Promise<Uint8Array | undefined> {
    const stored = await this.#blobs.get(objectKey);
    if (stored === undefined) return undefined;
    const { decryptPrivateKey } = await loadKeyEncryption();
    const { pkcs8 } = await decryptPrivateKey(
      text.decode(stored),
      await this.#passphrases.forObject(objectKey),
    );
    return pkcs8;
  }

  async putCsr(orderId: string, csrPem: string): Promise<void> {
    await this.#blobs.put(`csrs/${orderId}.csr.pem`, csrPem, "application/pkcs10");
  }

  async getCsr(orderId: string): Promise<string | undefined> {
    return this.getText(`csrs/${orderId}.csr.pem`);
  }

  async putCertificate(orderId: string, certificatePem: string, chainPems: readonly string[]) {
    const chainPem = chainPems.join("");
    const stored: StoredCertificate = {
      certificatePem,
      chainPem,
      fullchainPem: certificatePem + chainPem,
    };
    await this.#blobs.put(`certificates/${orderId}/chain.pem`, chainPem, "application/x-pem-file");
    await this.#blobs.put(
      `certificates/${orderId}/fullchain.pem`,
      stored.fullchainPem,
      "application/x-pem-file",
    );
    // Written last: its presence means the set is complete.
    await this.#blobs.put(
      `certificates/${orderId}/certificate.pem`,
      certificatePem,
      "application/x-pem-file",
    );
    return stored;
  }

  async getCertificate(orderId: string): Promise<StoredCertificate | undefined> {
    const certificatePem = await this.getText(`certificates/${orderId}/certificate.pem`);
    if (certificatePem === undefined) return undefined;
    const chainPem = (await this.getText(`certificates/${orderId}/chain.pem`)) ?? "";
    return { certificatePem, chainPem, fullchainPem: certificatePem + chainPem };
  }

  /** Public CA material (certificates, account descriptions) under ca/. */
  async putCaMaterial(name: string, body: string): Promise<void> {
    await this.#blobs.put(`ca/${name}`, body, "application/octet-stream");
  }

  async getCaMaterial(name: string): Promise<string | undefined> {
    return this.getText(`ca/${name}`);
  }

  /** Writes CA material only if none is stored under the name: true when this call wrote it. */
  async putCaMaterialIfAbsent(name: string, body: string): Promise<boolean> {
    return this.#blobs.putIfAbsent(`ca/${name}`, body, "application/octet-stream");
  }

  /** Where the CA's root certificate is published: anyone may read it (and the CRL). */
  static readonly publicCaRootKey = "public/ca/root.pem";

  async publishCaRoot(certificatePem: string): Promise<void> {
    await this.#blobs.put(
      CertificateVault.publicCaRootKey,
      certificatePem,
      "application/x-pem-file",
    );
  }

  async getPublishedCaRoot(): Promise<string | undefined> {
    return this.getText(CertificateVault.publicCaRootKey);
  }

  /** Where the CA's certificate revocation list (DER) is published, beside its root. */
  static readonly publicCrlKey = "public/ca/crl.der";

  async publishCrl(der: Uint8Array): Promise<void> {
    await this.#blobs.put(CertificateVault.publicCrlKey, der, "application/pkix-crl");
  }

  async getPublishedCrl(): Promise<Uint8Array | undefined> {
    return this.#blobs.get(CertificateVault.publicCrlKey);
  }

  async putDocument(orderId: string, name: string, body: Uint8Array, contentType: string) {
    await this.#blobs.put(`documents/${orderId}/${name}`, body, contentType);
  }

  async getDocument(orderId: string, name: string): Promise<Uint8Array | undefined> {
    return this.#blobs.get(`documents/${orderId}/${name}`);
  }

  static webhookSecretKey(endpointId: string): string {
    return `webhook-secrets/${endpointId}`;
  }

  /** A webhook endpoint's signing secret, sealed under a key derived for its object only. */
  async putWebhookSecret(endpointId: string, secret: string): Promise<void> {
    const key = CertificateVault.webhookSecretKey(endpointId);
    const sealed = sealSecret(secret, await this.#passphrases.forObject(key), key);
    await this.#blobs.put(key, sealed, "application/octet-stream");
  }

  /** The endpoint's signing secret, or undefined when none is stored (or it was erased). */
  async getWebhookSecret(endpointId: string): Promise<string | undefined> {
    const key = CertificateVault.webhookSecretKey(endpointId);
    const sealed = await this.getText(key);
    if (sealed === undefined || sealed === "") return undefined;
    return openSecret(sealed, await this.#passphrases.forObject(key), key);
  }

  /**
   * Overwrites a deleted endpoint's secret with nothing (the functions may write, never delete;
   * the bucket's lifecycle removes the replaced version).
   */
  async eraseWebhookSecret(endpointId: string): Promise<void> {
    await this.#blobs.put(
      CertificateVault.webhookSecretKey(endpointId),
      "",
      "application/octet-stream",
    );
  }

  private async getText(key: string): Promise<string | undefined> {
    const body = await this.#blobs.get(key);
    return body === undefined ? undefined : text.decode(body);
  }
}
