import { createHash, generateKeyPairSync } from "node:crypto";
import * as acme from "acme-client";
import { describe, expect, it } from "vitest";
import {
  challengeTypeFor,
  instructionsFor,
} from "../../../../functions/adapters/acme/acme-challenges.ts";
import type { OrderName } from "../../../../functions/domain/order-record.ts";

const name = (ascii: string): OrderName => ({
  ascii,
  display: ascii,
  wildcard: ascii.startsWith("*."),
});

describe("which ACME challenge answers an order's method", () => {
  it("http-file is http-01, both DNS methods are dns-01", () => {
    const names = [name("example.com"), name("www.example.com")];
    expect(challengeTypeFor(names, "http-file")).toEqual({ type: "http-01" });
    expect(challengeTypeFor(names, "dns-txt")).toEqual({ type: "dns-01" });
    expect(challengeTypeFor(names, "dns-cname")).toEqual({ type: "dns-01" });
    expect(challengeTypeFor([name("*.example.com")], "dns-txt")).toEqual({ type: "dns-01" });
  });

  it("refuses http-file when any name is a wildcard, naming it and the DNS methods", () => {
    const choice = challengeTypeFor([name("example.com"), name("*.example.com")], "http-file");
    expect(choice).toEqual({ refusal: expect.stringContaining("(*.example.com)") });
    expect(choice).toEqual({ refusal: expect.stringContaining("dns-txt or dns-cname") });
  });

  it("refuses email: ACME has no email challenge", () => {
    expect(challengeTypeFor([name("example.com")], "email")).toEqual({
      refusal: expect.stringMatching(/^ACME CAs do not validate by email/),
    });
  });
});

describe("instructions from an ACME challenge", () => {
  it("http-01: the well-known URL on the name, with the key authorization as content", () => {
    expect(
      instructionsFor({
        name: name("shop.example.com"),
        method: "http-file",
        token: "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
        keyAuthorization: "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.thumb",
      }),
    ).toEqual({
      method: "http-file",
      url: "http://shop.example.com/.well-known/acme-challenge/evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
      content: "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.thumb",
    });
  });

  it("dns-01: TXT at _acme-challenge of the name, wildcard prefix removed", () => {
    for (const ascii of ["example.com", "*.example.com"]) {
      expect(
        instructionsFor({
          name: name(ascii),
          method: "dns-txt",
          token: "token",
          keyAuthorization: "digest-value",
        }),
      ).toEqual({
        method: "dns-txt",
        recordType: "TXT",
        host: "_acme-challenge.example.com",
        value: "digest-value",
      });
    }
  });

  it("dns-cname: a CNAME from _acme-challenge of the name into the delegation zone", () => {
    const apex = instructionsFor({
      name: name("example.com"),
      method: "dns-cname",
      token: "token-1",
      keyAuthorization: "digest-1",
      delegationZone: "dcv.certflow.example",
      tenantId: "tenant-a",
    });
    const wildcard = instructionsFor({
      name: name("*.example.com"),
      method: "dns-cname",
      token: "token-2",
      keyAuthorization: "digest-2",
      delegationZone: "dcv.certflow.example",
      tenantId: "tenant-a",
    });
    expect(apex).toEqual({
      method: "dns-cname",
      recordType: "CNAME",
      host: "_acme-challenge.example.com",
      value: expect.stringMatching(/^[0-9a-f]{32}\.dcv\.certflow\.example$/),
    });
    // Nothing of this issuance (token, digest) is in it: the customer sets it once.
    expect(wildcard).toEqual(apex);
  });

  it("values computed by acme-client match RFC 8555: key authorization and its SHA-256 digest", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const accountKey = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const client = new acme.Client({ directoryUrl: "https://ca.invalid/dir", accountKey });
    const jwk = privateKey.export({ format: "jwk" });
    // RFC 7638 thumbprint: the required members in lexicographic order.
    const thumbprint = createHash("sha256")
      .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
      .digest("base64url");
    const token = "DGyRejmCefe7v4NfDGDKfA";
    const base = { url: "https://ca.invalid/chall/1", status: "pending" as const, token };

    const http = instructionsFor({
      name: name("example.com"),
      method: "http-file",
      token,
      keyAuthorization: await client.getChallengeKeyAuthorization({ ...base, type: "http-01" }),
    });
    expect(http).toMatchObject({ content: `${token}.${thumbprint}` });

    const dns = instructionsFor({
      name: name("example.com"),
      method: "dns-txt",
      token,
      keyAuthorization: await client.getChallengeKeyAuthorization({ ...base, type: "dns-01" }),
    });
    expect(dns).toMatchObject({
      value: createHash("sha256").update(`${token}.${thumbprint}`).digest("base64url"),
    });
  });
});
