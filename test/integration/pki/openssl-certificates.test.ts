import { readFileSync } from "node:fs";
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
import { opensslWorkspace } from "./openssl-tools.ts";

const { openssl, file } = opensslWorkspace("certflow-openssl-certs-");
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
      const { root, intermediate } = caKind === "EC" ? ec : rsa;
      const csrPem = await buildCsr({ keys: await generateKeyPair(keyType), names: NAMES });
      const leaf = await issueLeafCertificate({
        csrPem,
        names: NAMES,
        issuer: intermediate,
        serialNumber: crypto.getRandomValues(new Uint8Array(16)),
        notBefore,
        notAfter,
      });
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
    const csrPem = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
    const serial = new Uint8Array([0x00, 0x9a, ...crypto.getRandomValues(new Uint8Array(15))]);
    const leaf = await issueLeafCertificate({
      csrPem,
      names: NAMES,
      issuer: ec.intermediate,
      serialNumber: serial,
      notBefore,
      notAfter,
    });
    for (const pem of [leaf, ec.intermediate.certificatePem, ec.root.certificatePem]) {
      const path = file("parsed.pem", pem);
      const info = parseCertificate(pem);
      const fingerprint = openssl([
        "x509",
        "-in",
        path,
        "-noout",
        "-fingerprint",
        "-sha256",
      ]).trim();
      expect(fingerprint).toBe(`sha256 Fingerprint=${info.sha256Fingerprint}`);
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
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      file("o-root.key"),
      "-out",
      file("o-root.pem"),
      "-subj",
      "/O=Other/CN=Other Root",
      "-days",
      "30",
    ]);
    openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      file("o-int.key"),
      "-out",
      file("o-int.csr"),
      "-subj",
      "/CN=Other Issuing CA",
    ]);
    file(
      "o-int.ext",
      "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    );
    openssl([
      "x509",
      "-req",
      "-in",
      file("o-int.csr"),
      "-CA",
      file("o-root.pem"),
      "-CAkey",
      file("o-root.key"),
      "-CAcreateserial",
      "-days",
      "30",
      "-extfile",
      file("o-int.ext"),
      "-out",
      file("o-int.pem"),
    ]);
    openssl([
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-384",
      "-nodes",
      "-keyout",
      file("o-leaf.key"),
      "-out",
      file("o-leaf.csr"),
      "-subj",
      "/CN=api.example.com",
    ]);
    file(
      "o-leaf.ext",
      "basicConstraints=CA:FALSE\nsubjectAltName=DNS:api.example.com,DNS:API2.example.com\n",
    );
    openssl([
      "x509",
      "-req",
      "-in",
      file("o-leaf.csr"),
      "-CA",
      file("o-int.pem"),
      "-CAkey",
      file("o-int.key"),
      "-CAcreateserial",
      "-days",
      "30",
      "-extfile",
      file("o-leaf.ext"),
      "-out",
      file("o-leaf.pem"),
    ]);
    const [root, intermediate, leaf] = ["o-root.pem", "o-int.pem", "o-leaf.pem"].map((name) =>
      readFileSync(file(name), "utf8"),
    );
    if (root === undefined || intermediate === undefined || leaf === undefined)
      throw new Error("missing");

    expect(orderChain([root, leaf, intermediate])).toEqual([leaf, intermediate, root]);
    expect(verifyChain(leaf, [intermediate], root)).toEqual({ ok: true, problems: [] });
    const info = parseCertificate(leaf);
    expect(info).toMatchObject({
      subject: "CN=api.example.com",
      issuer: "CN=Other Issuing CA",
      names: ["api.example.com", "api2.example.com"],
      publicKey: { keyType: "EC-P384" },
      signatureAlgorithm: "sha256WithRSAEncryption",
    });
    expect(parseCertificate(root).issuer).toBe("O=Other, CN=Other Root");
    const fingerprint = openssl([
      "x509",
      "-in",
      file("o-leaf.pem"),
      "-noout",
      "-fingerprint",
      "-sha256",
    ]).trim();
    expect(fingerprint).toBe(`sha256 Fingerprint=${info.sha256Fingerprint}`);
  });
});
