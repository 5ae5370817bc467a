import { describe, expect, it } from "vitest";
import { KEY_TYPES } from "../../../functions/domain/key-types.ts";
import { orderChain, verifyChain } from "../../../functions/pki/certificate-chain.ts";
import { parseCertificate } from "../../../functions/pki/certificate-info.ts";
import {
  createIntermediateCa,
  createRootCa,
  issueLeafCertificate,
} from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { OPENSSL_NEW_KEY, opensslWorkspace } from "./openssl-tools.ts";

const { openssl, file, read, newKeyRequest, signCsr, fingerprintLine } =
  opensslWorkspace("certflow-openssl-certs-");
const now = new Date();
const notBefore = new Date(now.getTime() - 3_600_000);
const notAfter = new Date(now.getTime() + 30 * 86_400_000);
const NAMES = ["shop.example.com", "www.shop.example.com"];

async function hierarchy(rootKey: "EC-P384" | "RSA-4096", intermediateKey: "EC-P256" | "RSA-2048") {
  const root = await createRootCa({
    commonName: "Test Root",
    keyType: rootKey,
    notBefore,
    notAfter,
  });
  const intermediate = await createIntermediateCa({
    commonName: "Test Issuing CA",
    issuer: root,
    keyType: intermediateKey,
    notBefore,
    notAfter,
  });
  return { root, intermediate };
}

const ec = await hierarchy("EC-P384", "EC-P256");
const rsa = await hierarchy("RSA-4096", "RSA-2048");

describe("certificates issued by certflow", () => {
  it.each(
    KEY_TYPES.flatMap(
      (keyType) =>
        [
          [keyType, "EC"],
          [keyType, "RSA"],
        ] as const,
    ),
  )(
    "verify with openssl verify -CAfile root -untrusted intermediate (%s leaf, %s CA)",
    async (keyType, caKind) => {
      // Prepare
      const { root, intermediate } = caKind === "EC" ? ec : rsa;
      const csrPem = await buildCsr({ keys: await generateKeyPair(keyType), names: NAMES });

      // Act
      const leaf = await issueLeafCertificate({
        csrPem,
        names: NAMES,
        subject: { product: "DV" },
        issuer: intermediate,
        serialNumber: crypto.getRandomValues(new Uint8Array(16)),
        notBefore,
        notAfter,
      });

      // Assess
      const name = `${keyType}-${caKind}`;
      const rootPath = file(`${name}-root.pem`, root.certificatePem);
      const intermediatePath = file(`${name}-intermediate.pem`, intermediate.certificatePem);
      const leafPath = file(`${name}-leaf.pem`, leaf);
      expect(
        openssl([
          "verify",
          "-x509_strict",
          "-purpose",
          "sslserver",
          "-CAfile",
          rootPath,
          "-untrusted",
          intermediatePath,
          leafPath,
        ]),
      ).toBe(`${leafPath}: OK\n`);
      expect(verifyChain(leaf, [intermediate.certificatePem], root.certificatePem).ok).toBe(true);
      const text = openssl([
        "x509",
        "-in",
        leafPath,
        "-noout",
        "-ext",
        "keyUsage,extendedKeyUsage,basicConstraints,subjectAltName",
      ]);
      expect(text).toContain(
        keyType.startsWith("RSA") ? "Digital Signature, Key Encipherment" : "Digital Signature\n",
      );
      expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
      expect(text).toContain("CA:FALSE");
      expect(text).toContain("DNS:shop.example.com, DNS:www.shop.example.com");
    },
  );

  it("parse to what openssl reads: fingerprint, serial, dates, subject, issuer", async () => {
    // Prepare
    const csrPem = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
    const serial = new Uint8Array([0x00, 0x9a, ...crypto.getRandomValues(new Uint8Array(15))]);
    const leaf = await issueLeafCertificate({
      csrPem,
      names: NAMES,
      subject: { product: "DV" },
      issuer: ec.intermediate,
      serialNumber: serial,
      notBefore,
      notAfter,
    });

    for (const pem of [leaf, ec.intermediate.certificatePem, ec.root.certificatePem]) {
      // Act
      const info = parseCertificate(pem);

      // Assess
      const path = file("parsed.pem", pem);
      expect(fingerprintLine(path)).toBe(`sha256 Fingerprint=${info.sha256Fingerprint}`);
      const serialLine = openssl(["x509", "-in", path, "-noout", "-serial"]).trim();
      expect(serialLine.toLowerCase()).toBe(`serial=${info.serialNumber}`);
      const dates = openssl([
        "x509",
        "-in",
        path,
        "-noout",
        "-startdate",
        "-enddate",
        "-dateopt",
        "iso_8601",
      ]);
      expect(dates).toContain(
        `notBefore=${info.notBefore.toISOString().replace("T", " ").replace(".000", "")}`,
      );
      expect(dates).toContain(
        `notAfter=${info.notAfter.toISOString().replace("T", " ").replace(".000", "")}`,
      );
    }
    expect(parseCertificate(leaf).serialNumber).toBe(
      Buffer.from(serial.subarray(1)).toString("hex"),
    );
  });
});

describe("certificates made by openssl", () => {
  it("are parsed, ordered and verified like openssl does", () => {
    // Prepare
    newKeyRequest("o-root", {
      newKey: OPENSSL_NEW_KEY["EC-P256"],
      subject: "/O=Other/CN=Other Root",
      selfSigned: true,
      extra: ["-days", "30"],
    });
    newKeyRequest("o-int", {
      newKey: OPENSSL_NEW_KEY["RSA-2048"],
      subject: "/CN=Other Issuing CA",
    });
    const intermediate = signCsr(
      "o-int",
      "o-root",
      "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    );
    newKeyRequest("o-leaf", { newKey: OPENSSL_NEW_KEY["EC-P384"], subject: "/CN=api.example.com" });
    const leaf = signCsr(
      "o-leaf",
      "o-int",
      "basicConstraints=CA:FALSE\nsubjectAltName=DNS:api.example.com,DNS:API2.example.com\n",
    );
    const root = read("o-root.pem");

    // Act
    const ordered = orderChain([root, leaf, intermediate]);
    const verification = verifyChain(leaf, [intermediate], root);
    const info = parseCertificate(leaf);

    // Assess
    expect(ordered).toEqual([leaf, intermediate, root]);
    expect(verification).toEqual({ ok: true, problems: [] });
    expect(info).toMatchObject({
      subject: "CN=api.example.com",
      issuer: "CN=Other Issuing CA",
      names: ["api.example.com", "api2.example.com"],
      publicKey: { keyType: "EC-P384" },
      signatureAlgorithm: "sha256WithRSAEncryption",
    });
    expect(parseCertificate(root).issuer).toBe("O=Other, CN=Other Root");
    expect(fingerprintLine(file("o-leaf.pem"))).toBe(
      `sha256 Fingerprint=${info.sha256Fingerprint}`,
    );
  });
});
