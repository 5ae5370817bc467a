import { describe, expect, it } from "vitest";
import { KEY_TYPES, type KeyType } from "../../../functions/domain/key-types.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { derOf, subjectRdnCount } from "./crafted-csrs.ts";
import { fullSubjectCsr, SAMPLE_NAMES } from "./csr-samples.ts";

const SIGNATURES: Record<KeyType, string> = {
  "EC-P256": "ecdsa-with-SHA256",
  "EC-P384": "ecdsa-with-SHA384",
  "RSA-2048": "sha256WithRSAEncryption",
  "RSA-3072": "sha256WithRSAEncryption",
  "RSA-4096": "sha256WithRSAEncryption",
};

describe("buildCsr → verifyCsr", () => {
  it.each(KEY_TYPES)("round-trips a %s CSR with every name and a full subject", async (keyType) => {
    // Prepare
    const csr = await fullSubjectCsr(keyType);

    // Act
    const verification = await verifyCsr(csr, SAMPLE_NAMES);

    // Assess
    expect(csr).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n[\s\S]+\n-----END CERTIFICATE REQUEST-----\n$/,
    );
    expect(verification.defects).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(verification.summary).toMatchObject({
      commonName: "shop.example.com",
      names: SAMPLE_NAMES,
      keyType,
      signatureAlgorithm: SIGNATURES[keyType],
      subject: {
        C: "DE",
        ST: "Berlin",
        L: "Berlin",
        O: "Example GmbH",
        OU: "Web",
        CN: "shop.example.com",
      },
      subjectText: "C=DE, ST=Berlin, L=Berlin, O=Example GmbH, OU=Web, CN=shop.example.com",
      subjectRdnCount: 6,
    });
    expect(subjectRdnCount(csr)).toEqual({ rdns: 6, attributes: 6 });
  });

  it.each([
    [{}, 1],
    [{ organization: "Example GmbH" }, 2],
    [{ organization: "Example GmbH", country: "de" }, 3],
    [{ locality: "Paris", state: "Île-de-France", country: "FR" }, 4],
    [{ organization: "  ", country: "" }, 1],
  ])("puts each given attribute in its own RDN (%o → %i RDNs)", async (subject, count) => {
    const keys = await generateKeyPair("EC-P256");

    const csr = await buildCsr({ keys, names: ["a.example.com"], subject });
    const verification = await verifyCsr(csr, ["a.example.com"]);

    expect(subjectRdnCount(csr)).toEqual({ rdns: count, attributes: count });
    expect(verification.summary?.subjectRdnCount).toBe(count);
    expect(verification.ok).toBe(true);
  });

  it("upper-cases the country and keeps non-ASCII organization text", async () => {
    const keys = await generateKeyPair("EC-P256");
    const subject = { organization: "Bücher & Söhne", country: "de" };

    const csr = await buildCsr({ keys, names: ["a.example.com"], subject });
    const verification = await verifyCsr(csr);

    expect(verification.summary?.subject).toEqual({
      C: "DE",
      O: "Bücher & Söhne",
      CN: "a.example.com",
    });
  });

  it("leaves out a CN longer than 64 characters but keeps the name in the SAN", async () => {
    const long = `${"a".repeat(60)}.example.com`;
    const keys = await generateKeyPair("EC-P256");

    const csr = await buildCsr({ keys, names: [long, "b.example.com"] });
    const verification = await verifyCsr(csr, [long, "b.example.com"]);

    expect(verification.ok).toBe(true);
    expect(verification.summary?.commonName).toBeUndefined();
    expect(verification.summary?.names).toEqual([long, "b.example.com"]);
    expect(subjectRdnCount(csr).rdns).toBe(0);
  });

  it("verifies the same CSR given as DER bytes or as PEM bytes", async () => {
    const csr = await buildCsr({
      keys: await generateKeyPair("EC-P256"),
      names: ["a.example.com"],
    });

    const fromDer = await verifyCsr(derOf(csr), ["a.example.com"]);
    const fromPemBytes = await verifyCsr(new TextEncoder().encode(csr), ["a.example.com"]);

    expect(fromDer.ok).toBe(true);
    expect(fromPemBytes.ok).toBe(true);
  });

  it.each([
    [[], "at least one name"],
    [["bücher.example"], "punycode"],
    [["a b.example.com"], "punycode"],
  ])("refuses names %j", async (names, message) => {
    const keys = await generateKeyPair("EC-P256");

    await expect(buildCsr({ keys, names })).rejects.toThrow(message);
  });

  it.each([
    [{ country: "Germany" }, "two-letter"],
    [{ organization: "x".repeat(65) }, "longer than 64"],
    [{ locality: "x".repeat(129) }, "longer than 128"],
  ])("refuses the subject %o", async (subject, message) => {
    const keys = await generateKeyPair("EC-P256");

    await expect(buildCsr({ keys, names: ["a.example.com"], subject })).rejects.toThrow(message);
  });
});
