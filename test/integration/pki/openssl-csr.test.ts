import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KEY_TYPES, type KeyType } from "../../../functions/domain/key-types.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { opensslWorkspace } from "./openssl-tools.ts";

const { openssl, file, read } = opensslWorkspace("certflow-openssl-csr-");
const NAMES = ["shop.example.com", "www.shop.example.com", "*.img.example.com"];
const SAN = "DNS:shop.example.com, DNS:www.shop.example.com, DNS:*.img.example.com";

const signatureLine = (path: string) =>
  /Signature Algorithm: (\S+)/.exec(openssl(["req", "-in", path, "-noout", "-text"]))?.[1];

describe("CSRs made by certflow", () => {
  it.each(KEY_TYPES)(
    "pass openssl req -verify and show the SAN and separate RDNs (%s)",
    async (keyType) => {
      const csr = await buildCsr({
        keys: await generateKeyPair(keyType),
        names: NAMES,
        subject: {
          organization: "Example GmbH",
          organizationalUnit: "Web",
          locality: "Berlin",
          state: "Berlin",
          country: "DE",
        },
      });
      const path = file(`certflow-${keyType}.csr`, csr);
      expect(openssl(["req", "-in", path, "-verify", "-noout"])).toBe("");
      const text = openssl(["req", "-in", path, "-noout", "-text"]);
      expect(text).toContain("X509v3 Subject Alternative Name");
      expect(text).toContain(SAN);
      // One line per RDN; a multi-valued RDN would print its attributes on one line joined by " + ".
      const subject = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "multiline"]);
      expect(
        subject
          .trim()
          .split("\n")
          .slice(1)
          .map((line) => line.trim()),
      ).toEqual([
        "countryName               = DE",
        "stateOrProvinceName       = Berlin",
        "localityName              = Berlin",
        "organizationName          = Example GmbH",
        "organizationalUnitName    = Web",
        "commonName                = shop.example.com",
      ]);
      expect(
        openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253"]).trim(),
      ).toBe("subject=CN=shop.example.com,OU=Web,O=Example GmbH,L=Berlin,ST=Berlin,C=DE");
      expect(signatureLine(path)).toBe((await verifyCsr(csr)).summary?.signatureAlgorithm);
    },
  );
});

const OPENSSL_NEWKEY: Record<KeyType, string[]> = {
  "EC-P256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  "EC-P384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  "RSA-2048": ["-newkey", "rsa:2048"],
  "RSA-3072": ["-newkey", "rsa:3072"],
  "RSA-4096": ["-newkey", "rsa:4096"],
};

function opensslCsr(
  name: string,
  newKey: readonly string[],
  extra: readonly string[] = [],
  subject = "/CN=shop.example.com",
) {
  const path = file(`${name}.csr`);
  openssl([
    "req",
    "-new",
    ...newKey,
    "-nodes",
    "-keyout",
    file(`${name}.key`),
    "-out",
    path,
    "-subj",
    subject,
    ...extra,
  ]);
  return { path, pem: read(`${name}.csr`) };
}

describe("CSRs made by openssl", () => {
  it.each(KEY_TYPES)("pass verifyCsr with -addext subjectAltName (%s)", async (keyType) => {
    const { path, pem } = opensslCsr(`openssl-${keyType}`, OPENSSL_NEWKEY[keyType], [
      "-addext",
      `subjectAltName=${SAN.replaceAll(" ", "")}`,
    ]);
    const verification = await verifyCsr(pem, NAMES);
    expect(verification.defects).toEqual([]);
    expect(verification.summary).toMatchObject({
      keyType,
      names: NAMES,
      commonName: "shop.example.com",
    });
    expect(verification.summary?.signatureAlgorithm).toBe(signatureLine(path));
  });

  it("pass verifyCsr as DER, as openssl writes it", async () => {
    const { path } = opensslCsr("openssl-der", OPENSSL_NEWKEY["EC-P256"]);
    const der = file("openssl-der.der");
    openssl(["req", "-in", path, "-outform", "DER", "-out", der]);
    expect((await verifyCsr(new Uint8Array(readFileSync(der)), ["shop.example.com"])).ok).toBe(
      true,
    );
  });

  it("list every defect of a 1024-bit SHA-1 CSR for other names", async () => {
    const { pem } = opensslCsr(
      "weak",
      ["-newkey", "rsa:1024", "-sha1"],
      [],
      "/CN=other.example.com",
    );
    const verification = await verifyCsr(pem, ["shop.example.com"]);
    expect(verification.defects.map((defect) => defect.code).sort()).toEqual(
      [
        "COMMON_NAME_MISMATCH",
        "KEY_TOO_SMALL",
        "NAME_MISSING",
        "NAME_NOT_ORDERED",
        "WEAK_SIGNATURE_HASH",
      ].sort(),
    );
  });

  it("report an MD5 signature as weak (and still check it)", async () => {
    const { path, pem } = opensslCsr("md5", ["-newkey", "rsa:2048", "-md5"]);
    expect(
      (await verifyCsr(pem, ["shop.example.com"])).defects.map((defect) => defect.code),
    ).toEqual(["WEAK_SIGNATURE_HASH"]);
    expect(signatureLine(path)).toBe("md5WithRSAEncryption");
  });

  it.each([
    ["Ed25519", ["-newkey", "ed25519"], "ED25519"],
    ["EC P-521", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"], "EC P-521"],
  ])("report KEY_ALGORITHM_UNSUPPORTED for %s only", async (_, newKey, shown) => {
    const { pem } = opensslCsr(`key-${shown}`, newKey);
    const verification = await verifyCsr(pem, ["shop.example.com"]);
    expect(verification.defects.map((defect) => defect.code)).toEqual([
      "KEY_ALGORITHM_UNSUPPORTED",
    ]);
    expect(verification.defects[0]?.message).toContain(shown);
  });

  it("report KEY_ALGORITHM_UNSUPPORTED for DSA, with its signature verified", async () => {
    const params = file("dsa.params");
    openssl([
      "genpkey",
      "-genparam",
      "-algorithm",
      "DSA",
      "-pkeyopt",
      "dsa_paramgen_bits:2048",
      "-out",
      params,
    ]);
    const { path, pem } = opensslCsr("dsa", ["-newkey", `dsa:${params}`, "-sha256"]);
    expect(
      (await verifyCsr(pem, ["shop.example.com"])).defects.map((defect) => defect.code),
    ).toEqual(["KEY_ALGORITHM_UNSUPPORTED"]);
    expect((await verifyCsr(pem)).summary?.signatureAlgorithm).toBe(signatureLine(path));
  });

  it("report SIGNATURE_ALGORITHM_UNSUPPORTED for an RSA-PSS signature", async () => {
    const { pem } = opensslCsr("pss", ["-newkey", "rsa:2048", "-sigopt", "rsa_padding_mode:pss"]);
    expect(
      (await verifyCsr(pem, ["shop.example.com"])).defects.map((defect) => defect.code),
    ).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
  });

  it("report a multi-valued RDN subject as such, without calling it a defect", async () => {
    const { pem } = opensslCsr(
      "multi",
      OPENSSL_NEWKEY["EC-P256"],
      ["-multivalue-rdn"],
      "/CN=shop.example.com+O=Example/C=DE",
    );
    const verification = await verifyCsr(pem, ["shop.example.com"]);
    expect(verification.ok).toBe(true);
    expect(verification.summary?.subjectRdnCount).toBe(2);
    expect(verification.summary?.subject).toEqual({
      CN: "shop.example.com",
      O: "Example",
      C: "DE",
    });
  });
});
