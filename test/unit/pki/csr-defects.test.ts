import { describe, expect, it } from "vitest";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { CSR_DEFECT_CODES, type CsrDefectCode } from "../../../functions/pki/csr-defects.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { exportPrivateKeyPkcs8, generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { toPem } from "../../../functions/pki/pem.ts";
import {
  craftCsr,
  derOf,
  ecKeys,
  ed25519Keys,
  rsaKeys,
  withAlteredText,
  withFlippedSignatureBit,
  withSignatureAlgorithm,
} from "./crafted-csrs.ts";
import { WEAK_CSR_FOR_OTHER_NAMES_DEFECTS } from "./csr-samples.ts";

const seen = new Set<CsrDefectCode>();

async function codesOf(csr: string | Uint8Array, expected?: readonly string[]) {
  const verification = await verifyCsr(csr, expected);
  const codes = verification.defects.map((defect) => defect.code);
  for (const code of codes) seen.add(code);
  expect(verification.ok).toBe(codes.length === 0);
  for (const defect of verification.defects) expect(defect.message.length).toBeGreaterThan(20);
  return codes;
}

const NAMES = ["shop.example.com", "www.shop.example.com"];

describe("verifyCsr reports", () => {
  it("KEY_TOO_SMALL for an RSA-1024 key, and nothing else", async () => {
    const csr = await craftCsr({
      keys: await rsaKeys(1024),
      commonName: NAMES[0],
      dnsNames: NAMES,
    });

    const codes = await codesOf(csr, NAMES);
    const { defects } = await verifyCsr(csr);

    expect(codes).toEqual(["KEY_TOO_SMALL"]);
    expect(defects[0]?.message).toContain("RSA 1024 bits");
  });

  it("KEY_TOO_LARGE for an RSA key over 4096 bits", async () => {
    const csr = await craftCsr({ keys: await rsaKeys(4104), dnsNames: NAMES });

    expect(await codesOf(csr, NAMES)).toEqual(["KEY_TOO_LARGE"]);
  });

  it("KEY_SIZE_UNSUPPORTED for an RSA size between the offered ones", async () => {
    const csr = await craftCsr({ keys: await rsaKeys(2560), dnsNames: NAMES });

    expect(await codesOf(csr, NAMES)).toEqual(["KEY_SIZE_UNSUPPORTED"]);
  });

  it.each([
    ["Ed25519", ed25519Keys, "ED25519"],
    ["EC P-521", () => ecKeys("P-521"), "EC P-521"],
  ])(
    "KEY_ALGORITHM_UNSUPPORTED for an %s key (its signature still checked)",
    async (_, keys, shown) => {
      // Prepare
      const signingAlgorithm =
        shown === "ED25519"
          ? { name: "Ed25519" }
          : ({ name: "ECDSA", hash: "SHA-512" } as EcdsaParams);
      const csr = await craftCsr({ keys: await keys(), dnsNames: NAMES, signingAlgorithm });

      // Act
      const codes = await codesOf(csr, NAMES);
      const verification = await verifyCsr(csr, NAMES);
      const tamperedCodes = await codesOf(withFlippedSignatureBit(csr), NAMES);

      // Assess
      expect(codes).toEqual(["KEY_ALGORITHM_UNSUPPORTED"]);
      expect(verification.defects[0]?.message).toContain(shown);
      expect(verification.summary?.keyType).toBeUndefined();
      expect(verification.summary?.names).toEqual(NAMES);
      expect(tamperedCodes).toEqual(["KEY_ALGORITHM_UNSUPPORTED", "SIGNATURE_INVALID"]);
    },
  );

  it.each([
    ["RSA", async () => rsaKeys(2048, "SHA-1"), undefined, "sha1WithRSAEncryption"],
    ["ECDSA", async () => ecKeys("P-256"), { name: "ECDSA", hash: "SHA-1" }, "ecdsa-with-SHA1"],
  ])(
    "WEAK_SIGNATURE_HASH for a correctly signed %s SHA-1 CSR",
    async (_, keys, signingAlgorithm, name) => {
      const csr = await craftCsr({ keys: await keys(), dnsNames: NAMES, signingAlgorithm });

      const codes = await codesOf(csr, NAMES);
      const { summary } = await verifyCsr(csr);

      expect(codes).toEqual(["WEAK_SIGNATURE_HASH"]);
      expect(summary?.signatureAlgorithm).toBe(name);
    },
  );

  it("SIGNATURE_INVALID when one bit of the signature is flipped", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });

    expect(await codesOf(withFlippedSignatureBit(csr), NAMES)).toEqual(["SIGNATURE_INVALID"]);
  });

  it("SIGNATURE_INVALID when the signed content was changed after signing", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("RSA-2048"), names: NAMES });
    const altered = withAlteredText(csr, "shop.example.com", "shoq.example.com");

    const verification = await verifyCsr(altered);
    const codes = await codesOf(altered);

    expect(verification.summary?.commonName).toBe("shoq.example.com");
    expect(codes).toEqual(["SIGNATURE_INVALID"]);
  });

  it("SIGNATURE_ALGORITHM_UNSUPPORTED for RSASSA-PSS and unknown algorithms", async () => {
    // Prepare
    const csr = await buildCsr({ keys: await generateKeyPair("RSA-2048"), names: NAMES });
    const pss = withSignatureAlgorithm(csr, "1.2.840.113549.1.1.10");
    const unknown = withSignatureAlgorithm(csr, "1.2.3.4.5");

    // Act
    const pssCodes = await codesOf(pss, NAMES);
    const pssSummary = (await verifyCsr(pss)).summary;
    const unknownCodes = await codesOf(unknown, NAMES);

    // Assess
    expect(pssCodes).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
    expect(pssSummary?.signatureAlgorithm).toBe("rsassaPss");
    expect(unknownCodes).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
  });

  it("SIGNATURE_INVALID when the declared algorithm does not fit the key", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
    const declaredRsa = withSignatureAlgorithm(csr, "1.2.840.113549.1.1.11");

    expect(await codesOf(declaredRsa, NAMES)).toEqual(["SIGNATURE_INVALID"]);
  });

  it("NAME_MISSING with the missing names", async () => {
    // Prepare
    const csr = await buildCsr({
      keys: await generateKeyPair("EC-P256"),
      names: ["shop.example.com"],
    });
    const expected = [...NAMES, "api.shop.example.com"];

    // Act
    const codes = await codesOf(csr, expected);
    const [defect] = (await verifyCsr(csr, expected)).defects;

    // Assess
    expect(codes).toEqual(["NAME_MISSING"]);
    expect(defect?.names).toEqual(["www.shop.example.com", "api.shop.example.com"]);
    expect(defect?.message).toContain("www.shop.example.com and api.shop.example.com");
  });

  it("NAME_NOT_ORDERED with the extra names, DNS and others", async () => {
    // Prepare
    const csr = await craftCsr({
      keys: await ecKeys("P-256"),
      commonName: "shop.example.com",
      dnsNames: [...NAMES, "extra.example.com"],
      otherNames: [{ type: "ip", value: "192.0.2.1" }],
    });

    // Act
    const codes = await codesOf(csr, NAMES);
    const [defect] = (await verifyCsr(csr, NAMES)).defects;

    // Assess
    expect(codes).toEqual(["NAME_NOT_ORDERED"]);
    expect(defect?.names).toEqual(["extra.example.com", "ip:192.0.2.1"]);
  });

  it("COMMON_NAME_MISMATCH when the CN is an ordered name but not the first", async () => {
    const csr = await craftCsr({
      keys: await ecKeys("P-256"),
      commonName: NAMES[1],
      dnsNames: NAMES,
    });

    expect(await codesOf(csr, NAMES)).toEqual(["COMMON_NAME_MISMATCH"]);
  });

  it("NO_NAMES for a CSR without CN and SAN when no names are expected", async () => {
    const csr = await craftCsr({ keys: await ecKeys("P-256") });

    const withoutNames = await codesOf(csr);
    const withNames = await codesOf(csr, NAMES);

    expect(withoutNames).toEqual(["NO_NAMES"]);
    expect(withNames).toEqual(["NAME_MISSING"]);
  });

  it.each([
    ["an empty string", ""],
    ["plain text", "hello, this is my CSR"],
    ["base64 without armour", Buffer.from("garbage garbage garbage").toString("base64")],
    [
      "a certificate",
      "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
    ],
    [
      "truncated base64",
      "-----BEGIN CERTIFICATE REQUEST-----\nMIIBZTCB6wIBADAyMQsw\n-----END CERTIFICATE REQUEST-----\n",
    ],
    ["random DER-looking bytes", new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])],
    ["binary garbage", new Uint8Array([0xff, 0x00, 0x13, 0x37])],
  ])("CSR_UNREADABLE for %s, without a summary", async (_, input) => {
    const codes = await codesOf(input, NAMES);
    const { summary } = await verifyCsr(input);

    expect(codes).toEqual(["CSR_UNREADABLE"]);
    expect(summary).toBeUndefined();
  });

  it("CSR_UNREADABLE for a private key, telling the customer to keep it secret", async () => {
    const keys = await generateKeyPair("EC-P256");
    const pem = toPem(await exportPrivateKeyPkcs8(keys.privateKey), "PRIVATE KEY");

    const verification = await verifyCsr(pem);

    expect(verification.defects.map((defect) => defect.code)).toEqual(["CSR_UNREADABLE"]);
    expect(verification.defects[0]?.message).toContain("private key");
    expect(verification.defects[0]?.message).not.toContain(pem.split("\n")[1]);
  });

  it("accepts the NEW CERTIFICATE REQUEST label (IIS) and text around the block", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
    const iis = `Here is my CSR:\n${csr.replaceAll("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")}\nThanks`;

    expect(await codesOf(iis, NAMES)).toEqual([]);
  });
});

describe("verifyCsr compares names", () => {
  it("as a set, case-insensitively, ignoring a trailing dot", async () => {
    const csr = await craftCsr({
      keys: await ecKeys("P-256"),
      commonName: "Shop.Example.COM",
      dnsNames: ["WWW.shop.example.com.", "shop.example.com"],
    });

    expect(await codesOf(csr, ["shop.example.com", "www.SHOP.example.com"])).toEqual([]);
  });

  it("accepting a CSR without CN when the SAN holds every name", async () => {
    const csr = await craftCsr({ keys: await ecKeys("P-256"), dnsNames: [...NAMES].reverse() });

    const codes = await codesOf(csr, NAMES);
    const { summary } = await verifyCsr(csr, NAMES);

    expect(codes).toEqual([]);
    expect(summary?.commonName).toBeUndefined();
  });

  it("counting a CN that is not in the SAN as one of the CSR's names", async () => {
    const csr = await craftCsr({
      keys: await ecKeys("P-256"),
      commonName: NAMES[0],
      dnsNames: [NAMES[1] ?? ""],
    });

    expect(await codesOf(csr, NAMES)).toEqual([]);
  });
});

describe("verifyCsr reports every defect at once", () => {
  it("for a small SHA-1 RSA key with the wrong names and CN", async () => {
    const csr = await craftCsr({
      keys: await rsaKeys(1024, "SHA-1"),
      commonName: "other.example.com",
      dnsNames: ["other.example.com", "www.shop.example.com"],
    });

    const codes = await codesOf(csr, NAMES);

    expect(codes.sort()).toEqual(WEAK_CSR_FOR_OTHER_NAMES_DEFECTS);
  });

  it("for a tampered Ed25519 CSR with missing names", async () => {
    const csr = await craftCsr({
      keys: await ed25519Keys(),
      commonName: "shop.example.com",
      signingAlgorithm: { name: "Ed25519" },
    });

    const codes = await codesOf(withFlippedSignatureBit(csr), NAMES);

    expect(codes).toEqual(["KEY_ALGORITHM_UNSUPPORTED", "SIGNATURE_INVALID", "NAME_MISSING"]);
  });

  it("reads DER input to the same defects as PEM", async () => {
    const csr = await craftCsr({ keys: await rsaKeys(1024), commonName: "x.example.com" });

    expect(await codesOf(derOf(csr), NAMES)).toEqual(await codesOf(csr, NAMES));
  });
});

describe("the defect codes", () => {
  // Runs last (tests of a file run in order): every code of the closed set was produced above.
  it("were each produced by some CSR above", () => {
    expect([...seen].sort()).toEqual([...CSR_DEFECT_CODES].sort());
  });
});
