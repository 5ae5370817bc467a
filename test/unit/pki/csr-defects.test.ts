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
    expect(await codesOf(csr, NAMES)).toEqual(["KEY_TOO_SMALL"]);
    expect((await verifyCsr(csr)).defects[0]?.message).toContain("RSA 1024 bits");
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
      const signingAlgorithm =
        shown === "ED25519"
          ? { name: "Ed25519" }
          : ({ name: "ECDSA", hash: "SHA-512" } as EcdsaParams);
      const csr = await craftCsr({ keys: await keys(), dnsNames: NAMES, signingAlgorithm });
      expect(await codesOf(csr, NAMES)).toEqual(["KEY_ALGORITHM_UNSUPPORTED"]);
      const verification = await verifyCsr(csr, NAMES);
      expect(verification.defects[0]?.message).toContain(shown);
      expect(verification.summary?.keyType).toBeUndefined();
      expect(verification.summary?.names).toEqual(NAMES);
      expect(await codesOf(withFlippedSignatureBit(csr), NAMES)).toEqual([
        "KEY_ALGORITHM_UNSUPPORTED",
        "SIGNATURE_INVALID",
      ]);
    },
  );

  it.each([
    ["RSA", async () => rsaKeys(2048, "SHA-1"), undefined, "sha1WithRSAEncryption"],
    ["ECDSA", async () => ecKeys("P-256"), { name: "ECDSA", hash: "SHA-1" }, "ecdsa-with-SHA1"],
  ])(
    "WEAK_SIGNATURE_HASH for a correctly signed %s SHA-1 CSR",
    async (_, keys, signingAlgorithm, name) => {
      const csr = await craftCsr({ keys: await keys(), dnsNames: NAMES, signingAlgorithm });
      expect(await codesOf(csr, NAMES)).toEqual(["WEAK_SIGNATURE_HASH"]);
      expect((await verifyCsr(csr)).summary?.signatureAlgorithm).toBe(name);
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
    expect(verification.summary?.commonName).toBe("shoq.example.com");
    expect(await codesOf(altered)).toEqual(["SIGNATURE_INVALID"]);
  });

  it("SIGNATURE_ALGORITHM_UNSUPPORTED for RSASSA-PSS and unknown algorithms", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("RSA-2048"), names: NAMES });
    const pss = withSignatureAlgorithm(csr, "1.2.840.113549.1.1.10");
    expect(await codesOf(pss, NAMES)).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
    expect((await verifyCsr(pss)).summary?.signatureAlgorithm).toBe("rsassaPss");
    const unknown = withSignatureAlgorithm(csr, "1.2.3.4.5");
    expect(await codesOf(unknown, NAMES)).toEqual(["SIGNATURE_ALGORITHM_UNSUPPORTED"]);
  });

  it("SIGNATURE_INVALID when the declared algorithm does not fit the key", async () => {
    const csr = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
    const declaredRsa = withSignatureAlgorithm(csr, "1.2.840.113549.1.1.11");
    expect(await codesOf(declaredRsa, NAMES)).toEqual(["SIGNATURE_INVALID"]);
  });

  it("NAME_MISSING with the missing names", async () => {
    const csr = await buildCsr({
      keys: await generateKeyPair("EC-P256"),
      names: ["shop.example.com"],
    });
    const expected = [...NAMES, "api.shop.example.com"];
    expect(await codesOf(csr, expected)).toEqual(["NAME_MISSING"]);
    const [defect] = (await verifyCsr(csr, expected)).defects;
    expect(defect?.names).toEqual(["www.shop.example.com", "api.shop.example.com"]);
    expect(defect?.message).toContain("www.shop.example.com and api.shop.example.com");
  });

  it("NAME_NOT_ORDERED with the extra names, DNS and others", async () => {
    const csr = await craftCsr({
      keys: await ecKeys("P-256"),
      commonName: "shop.example.com",
      dnsNames: [...NAMES, "extra.example.com"],
      otherNames: [{ type: "ip", value: "192.0.2.1" }],
    });
    expect(await codesOf(csr, NAMES)).toEqual(["NAME_NOT_ORDERED"]);
    const [defect] = (await verifyCsr(csr, NAMES)).defects;
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
    expect(await codesOf(csr)).toEqual(["NO_NAMES"]);
    expect(await codesOf(csr, NAMES)).toEqual(["NAME_MISSING"]);
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
    expect(await codesOf(input, NAMES)).toEqual(["CSR_UNREADABLE"]);
    expect((await verifyCsr(input)).summary).toBeUndefined();
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
    expect(await codesOf(csr, NAMES)).toEqual([]);
    expect((await verifyCsr(csr, NAMES)).summary?.commonName).toBeUndefined();
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
    expect((await codesOf(csr, NAMES)).sort()).toEqual(
      [
        "COMMON_NAME_MISMATCH",
        "KEY_TOO_SMALL",
        "NAME_MISSING",
        "NAME_NOT_ORDERED",
        "WEAK_SIGNATURE_HASH",
      ].sort(),
    );
  });

  it("for a tampered Ed25519 CSR with missing names", async () => {
    const csr = await craftCsr({
      keys: await ed25519Keys(),
      commonName: "shop.example.com",
      signingAlgorithm: { name: "Ed25519" },
    });
    expect(await codesOf(withFlippedSignatureBit(csr), NAMES)).toEqual([
      "KEY_ALGORITHM_UNSUPPORTED",
      "SIGNATURE_INVALID",
      "NAME_MISSING",
    ]);
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
