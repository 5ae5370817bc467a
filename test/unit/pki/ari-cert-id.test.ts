import { describe, expect, it } from "vitest";
import { ariCertIdOf, serialNumberContent } from "../../../functions/pki/ari-cert-id.ts";
import { parseCertificate } from "../../../functions/pki/certificate-info.ts";
import { issueLeafCertificate } from "../../../functions/pki/certificate-signing.ts";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { hierarchy, NOT_AFTER, NOT_BEFORE } from "./ca-fixtures.ts";

async function leafWithSerial(serialNumber: Uint8Array) {
  const { intermediate } = await hierarchy();
  const keys = await generateKeyPair("EC-P256");
  const names = ["shop.example.com"];
  const certificatePem = await issueLeafCertificate({
    csrPem: await buildCsr({ keys, names }),
    names,
    subject: { product: "DV" },
    issuer: intermediate,
    serialNumber,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
  });
  return { certificatePem, issuerPem: intermediate.certificatePem };
}

/** The issuer's subject key identifier (what the leaf's authority key identifier repeats), base64url. */
function subjectKeyIdOf(pem: string): string {
  return Buffer.from(parseCertificate(pem).subjectKeyId ?? "", "hex").toString("base64url");
}

describe("ariCertIdOf (RFC 9773 §4.1)", () => {
  it("joins the authority key identifier and the serial's DER content, keeping its sign byte", async () => {
    const { certificatePem, issuerPem } = await leafWithSerial(Buffer.from("87654321", "hex"));

    const certId = ariCertIdOf(certificatePem);

    expect(certId).toBe(`${subjectKeyIdOf(issuerPem)}.AIdlQyE`);
  });

  it("encodes a serial without a high first bit as it is", async () => {
    const serial = Buffer.from("0512345678", "hex");
    const { certificatePem } = await leafWithSerial(serial);

    expect(ariCertIdOf(certificatePem)?.split(".")[1]).toBe(serial.toString("base64url"));
  });

  it("puts back exactly the sign byte the field reader drops", () => {
    expect(Buffer.from(serialNumberContent("87654321")).toString("hex")).toBe("0087654321");
    expect(Buffer.from(serialNumberContent("7f")).toString("hex")).toBe("7f");
    expect(Buffer.from(serialNumberContent("0005")).toString("hex")).toBe("0005");
    expect(Buffer.from(serialNumberContent("abc")).toString("hex")).toBe("0abc");
  });
});
