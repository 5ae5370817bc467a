import { describe, expect, it } from "vitest";
import { txtCharacterStrings } from "../../../../infra/local/customer-dns-server.ts";
import { hostNameOfHeader } from "../../../../infra/local/customer-web-server.ts";

describe("txtCharacterStrings", () => {
  it("keeps a short value whole", () => {
    expect(txtCharacterStrings("v=abc")).toEqual(["v=abc"]);
    expect(txtCharacterStrings("")).toEqual([""]);
  });

  it("splits at 255 bytes", () => {
    expect(txtCharacterStrings("a".repeat(600)).map((chunk) => chunk.length)).toEqual([
      255, 255, 90,
    ]);
  });

  it("never splits a multi-byte character", () => {
    const chunks = txtCharacterStrings("é".repeat(200)); // 2 bytes each
    expect(chunks.map((chunk) => Buffer.byteLength(chunk))).toEqual([254, 146]);
    expect(chunks.join("")).toBe("é".repeat(200));
  });
});

describe("hostNameOfHeader", () => {
  it.each([
    ["shop.certflow.test", "shop.certflow.test"],
    ["Shop.Certflow.Test:8080", "shop.certflow.test"],
    ["shop.certflow.test.", "shop.certflow.test"],
    ["[::1]:8080", "::1"],
    ["127.0.0.1:80", "127.0.0.1"],
  ])("%s → %s", (header, name) => {
    expect(hostNameOfHeader(header)).toBe(name);
  });
});
