import { describe, expect, it } from "vitest";
import { publicationFor } from "../../../functions/orders/publication-for.ts";

describe("publicationFor", () => {
  it("lets ACME http-01 files end in whitespace, as ACME servers accept (RFC 8555 8.3)", () => {
    expect(
      publicationFor({
        method: "http-file",
        url: "http://shop.example.com/.well-known/acme-challenge/tok3n",
        content: "tok3n.thumbprint",
      }),
    ).toMatchObject({ kind: "http-file", trailingWhitespaceAllowed: true });
  });

  it("keeps the embedded CA's pki-validation files exact", () => {
    expect(
      publicationFor({
        method: "http-file",
        url: "http://shop.example.com/.well-known/pki-validation/ABC.txt",
        content: "value",
      }),
    ).toMatchObject({ kind: "http-file", trailingWhitespaceAllowed: false });
  });

  it("checks DNS records as given and has nothing to check for email", () => {
    const txt = { method: "dns-txt", recordType: "TXT", host: "_a.b", value: "v" } as const;
    expect(publicationFor(txt)).toEqual({ kind: "dns-txt", host: "_a.b", value: "v" });
    expect(publicationFor({ method: "email", approver: "admin@b" })).toBeUndefined();
  });
});
