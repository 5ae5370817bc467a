import { describe, expect, it } from "vitest";
import { splitPemCertificates } from "../../../functions/pki/pem.ts";
import { hierarchy, leafFor } from "./ca-fixtures.ts";

const { intermediate } = await hierarchy();
const { certificatePem: leaf } = await leafFor(intermediate);

describe("splitPemCertificates", () => {
  it("returns each certificate block, ignoring text and other blocks", () => {
    const text = `subject=leaf\n${leaf}\nsome words\n${intermediate.certificatePem}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`;
    const split = splitPemCertificates(text);
    expect(split).toEqual([leaf, intermediate.certificatePem]);
  });
});
