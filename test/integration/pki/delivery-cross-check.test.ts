import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import type { KeyType } from "../../../functions/domain/key-types.ts";
import {
  createIntermediateCa,
  createRootCa,
  issueLeafCertificate,
} from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { buildDeliveryBundle } from "../../../functions/pki/delivery-bundles.ts";
import { exportPrivateKeyPkcs8, generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import {
  decryptPrivateKey,
  encryptPrivateKey,
} from "../../../functions/pki/private-key-encryption.ts";

const work = mkdtempSync(join(tmpdir(), "certflow-delivery-"));
const PASSWORD = "Tomcat-and-IIS-1";
const openssl = (args: string[]) => spawnSync("openssl", args, { encoding: "utf8" });
let issuer: Awaited<ReturnType<typeof createIntermediateCa>>;

async function issued(keyType: KeyType) {
  const keys = await generateKeyPair(keyType);
  const names = ["shop.example.com", "www.shop.example.com"];
  const now = new Date();
  const certificatePem = await issueLeafCertificate({
    csrPem: await buildCsr({ keys, names }),
    names,
    issuer,
    serialNumber: crypto.getRandomValues(new Uint8Array(16)),
    notBefore: now,
    notAfter: new Date(now.getTime() + 86_400_000),
  });
  return { certificatePem, pkcs8: await exportPrivateKeyPkcs8(keys.privateKey) };
}

beforeAll(async () => {
  const now = new Date();
  const later = new Date(now.getTime() + 10 * 86_400_000);
  const root = await createRootCa({
    commonName: "Delivery Root",
    keyType: "EC-P256",
    notBefore: now,
    notAfter: later,
  });
  issuer = await createIntermediateCa({
    commonName: "Delivery CA",
    issuer: root,
    keyType: "EC-P256",
    notBefore: now,
    notAfter: later,
  });
});

describe.each(["EC-P256", "EC-P384", "RSA-2048"] as const)("a %s certificate", (keyType) => {
  it("as .pfx opens in openssl with the password only, and as .p12 lists in keytool", async () => {
    const { certificatePem, pkcs8 } = await issued(keyType);
    const input = {
      commonName: "shop.example.com",
      certificatePem,
      chainPems: [issuer.certificatePem],
      privateKeyPkcs8: pkcs8,
      password: PASSWORD,
    };
    const pfx = await buildDeliveryBundle("iis", input);
    const pfxPath = join(work, `${keyType}.pfx`);
    writeFileSync(pfxPath, pfx.body);
    const info = openssl([
      "pkcs12",
      "-in",
      pfxPath,
      "-passin",
      `pass:${PASSWORD}`,
      "-info",
      "-nokeys",
      "-noout",
    ]);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stderr).toContain("MAC: sha256");
    expect(info.stderr).toContain("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC");
    const wrong = openssl(["pkcs12", "-in", pfxPath, "-passin", "pass:not-the-password", "-noout"]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/Mac verify error/);

    const p12 = await buildDeliveryBundle("tomcat", input);
    const p12Path = join(work, `${keyType}.p12`);
    writeFileSync(p12Path, p12.body);
    const listed = execFileSync(
      "keytool",
      ["-list", "-v", "-keystore", p12Path, "-storetype", "PKCS12", "-storepass", PASSWORD],
      { encoding: "utf8" },
    );
    expect(listed).toContain("Alias name: tomcat");
    expect(listed).toContain("Entry type: PrivateKeyEntry");
    expect(listed).toContain("Certificate chain length: 2");
  });

  it("as an nginx bundle holds a fullchain and the key that belongs to it", async () => {
    const { certificatePem, pkcs8 } = await issued(keyType);
    const bundle = await buildDeliveryBundle("nginx", {
      commonName: "*.shop.example.com",
      certificatePem,
      chainPems: [issuer.certificatePem],
      privateKeyPkcs8: pkcs8,
    });
    const files = unzipSync(bundle.body);
    expect(Object.keys(files).sort()).toEqual([
      "README.txt",
      "wildcard.shop.example.com.fullchain.pem",
      "wildcard.shop.example.com.key",
    ]);
    const fullchain = join(work, `${keyType}.fullchain.pem`);
    const key = join(work, `${keyType}.key`);
    writeFileSync(fullchain, files["wildcard.shop.example.com.fullchain.pem"] ?? new Uint8Array());
    writeFileSync(key, files["wildcard.shop.example.com.key"] ?? new Uint8Array());
    const fromCertificate = openssl(["x509", "-in", fullchain, "-noout", "-pubkey"]).stdout;
    const fromKey = openssl(["pkey", "-in", key, "-pubout"]).stdout;
    expect(fromKey).toBe(fromCertificate);
    expect(readFileSync(fullchain, "utf8").match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it("keeps its key at rest as encrypted PKCS#8 that openssl decrypts to the certificate's key", async () => {
    const { certificatePem, pkcs8 } = await issued(keyType);
    const encrypted = await encryptPrivateKey(pkcs8, "vault-passphrase");
    expect(encrypted).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    const keyPath = join(work, `${keyType}.enc.pem`);
    const certificatePath = join(work, `${keyType}.crt`);
    writeFileSync(keyPath, encrypted);
    writeFileSync(certificatePath, certificatePem);
    const fromKey = openssl([
      "pkey",
      "-in",
      keyPath,
      "-passin",
      "pass:vault-passphrase",
      "-pubout",
    ]);
    expect(fromKey.status, fromKey.stderr).toBe(0);
    expect(fromKey.stdout).toBe(
      openssl(["x509", "-in", certificatePath, "-noout", "-pubkey"]).stdout,
    );
    expect((await decryptPrivateKey(encrypted, "vault-passphrase")).pkcs8).toEqual(pkcs8);
    expect(openssl(["asn1parse", "-in", keyPath]).stdout).toMatch(
      /PBES2[\s\S]*PBKDF2[\s\S]*hmacWithSHA256[\s\S]*aes-256-cbc/,
    );
  });
});
