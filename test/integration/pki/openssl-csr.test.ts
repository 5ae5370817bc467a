import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KEY_TYPES } from "../../../functions/domain/key-types.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import {
  fullSubjectCsr,
  SAMPLE_NAMES,
  WEAK_CSR_FOR_OTHER_NAMES_DEFECTS,
} from "../../unit/pki/csr-samples.ts";
import { OPENSSL_NEW_KEY, type OpensslRequest, opensslWorkspace } from "./openssl-tools.ts";

const { openssl, file, read, newKeyRequest } = opensslWorkspace("certflow-openssl-csr-");
const SAN = SAMPLE_NAMES.map((name) => `DNS:${name}`).join(", ");

const signatureLine = (path: string) =>
  /Signature Algorithm: (\S+)/.exec(openssl(["req", "-in", path, "-noout", "-text"]))?.[1];

/** An openssl CSR for shop.example.com unless `request` says otherwise: its path and PEM. */
function opensslCsr(
  name: string,
  request: Partial<OpensslRequest> & Pick<OpensslRequest, "newKey">,
) {
  const path = newKeyRequest(name, { subject: "/CN=shop.example.com", ...request });
  return { path, pem: read(`${name}.csr`) };
}

const defectCodes = async (pem: string) =>
  (await verifyCsr(pem, ["shop.example.com"])).defects.map((defect) => defect.code);

describe("CSRs made by certflow", () => {
  it.each(KEY_TYPES)(
    "pass openssl req -verify and show the SAN and separate RDNs (%s)",
    async (keyType) => {
      // Prepare
      const csr = await fullSubjectCsr(keyType);

      // Act
      const path = file(`certflow-${keyType}.csr`, csr);
      const verified = openssl(["req", "-in", path, "-verify", "-noout"]);
      const text = openssl(["req", "-in", path, "-noout", "-text"]);
      const subject = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "multiline"]);
      const rfc2253 = openssl(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253"]);

      // Assess
      expect(verified).toBe("");
      expect(text).toContain("X509v3 Subject Alternative Name");
      expect(text).toContain(SAN);
      // One line per RDN; a multi-valued RDN would print its attributes on one line joined by " + ".
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
      expect(rfc2253.trim()).toBe(
        "subject=CN=shop.example.com,OU=Web,O=Example GmbH,L=Berlin,ST=Berlin,C=DE",
      );
      expect(signatureLine(path)).toBe((await verifyCsr(csr)).summary?.signatureAlgorithm);
    },
  );
});

describe("CSRs made by openssl", () => {
  it.each(KEY_TYPES)("pass verifyCsr with -addext subjectAltName (%s)", async (keyType) => {
    // Prepare
    const { path, pem } = opensslCsr(`openssl-${keyType}`, {
      newKey: OPENSSL_NEW_KEY[keyType],
      extra: ["-addext", `subjectAltName=${SAN.replaceAll(" ", "")}`],
    });

    // Act
    const verification = await verifyCsr(pem, SAMPLE_NAMES);

    // Assess
    expect(verification.defects).toEqual([]);
    expect(verification.summary).toMatchObject({
      keyType,
      names: SAMPLE_NAMES,
      commonName: "shop.example.com",
    });
    expect(verification.summary?.signatureAlgorithm).toBe(signatureLine(path));
  });

  it("pass verifyCsr as DER, as openssl writes it", async () => {
    // Prepare
    const { path } = opensslCsr("openssl-der", { newKey: OPENSSL_NEW_KEY["EC-P256"] });
    const der = file("openssl-der.der");
    openssl(["req", "-in", path, "-outform", "DER", "-out", der]);

    // Act
    const verification = await verifyCsr(new Uint8Array(readFileSync(der)), ["shop.example.com"]);

    // Assess
    expect(verification.ok).toBe(true);
  });

  it("list every defect of a 1024-bit SHA-1 CSR for other names", async () => {
    const { pem } = opensslCsr("weak", {
      newKey: ["-newkey", "rsa:1024", "-sha1"],
      subject: "/CN=other.example.com",
    });

    const codes = await defectCodes(pem);

    expect(codes.sort()).toEqual(WEAK_CSR_FOR_OTHER_NAMES_DEFECTS);
  });

  it("report an MD5 signature as weak (and still check it)", async () => {
    const { path, pem } = opensslCsr("md5", { newKey: ["-newkey", "rsa:2048", "-md5"] });

    const codes = await defectCodes(pem);

    expect(codes).toEqual(["WEAK_SIGNATURE_HASH"]);
    expect(signatureLine(path)).toBe("md5WithRSAEncryption");
  });

  it.each([
    ["Ed25519", ["-newkey", "ed25519"], "ED25519"],
    ["EC P-521", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"], "EC P-521"],
  ])("report KEY_ALGORITHM_UNSUPPORTED for %s only", async (_, newKey, shown) => {
    const { pem } = opensslCsr(`key-${shown}`, { newKey });

    const verification = await verifyCsr(pem, ["shop.example.com"]);

    expect(verification.defects.map((defect) => defect.code)).toEqual([
      "KEY_ALGORITHM_UNSUPPORTED",
    ]);
    expect(verification.defects[0]?.message).toContain(shown);
  });

  it("report KEY_ALGORITHM_UNSUPPORTED for DSA, with its signature verified", async () => {
    // Prepare
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
    const { path, pem } = opensslCsr("dsa", { newKey: ["-newkey", `dsa:${params}`, "-sha256"] });

    // Act
    const codes = await defectCodes(pem);
    const summary = (await verifyCsr(pem)).summary;

    // Assess
    expect(codes).toEqual(["KEY_ALGORITHM_UNSUPPORTED"]);
    expect(summary?.signatureAlgorithm).toBe(signatureLine(path));
  });

  it("report SIGNATURE_ALGORITHM_UNSUPPORTED for an RSA-PSS signature", async () => {
    const newKey = ["-newkey", "rsa:2048", "-sigopt", "rsa_padding_mode:pss"];
    const { pem } = opensslCsr("pss", { newKey });

    const codes = await defectCodes(pem);

    expect(codes).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
  });

  it("report a multi-valued RDN subject as such, without calling it a defect", async () => {
    const { pem } = opensslCsr("multi", {
      newKey: OPENSSL_NEW_KEY["EC-P256"],
      subject: "/CN=shop.example.com+O=Example/C=DE",
      extra: ["-multivalue-rdn"],
    });

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
