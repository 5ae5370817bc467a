import { describe, expect, it } from "vitest";
import { dcv } from "../../../../functions/lambda/providers/dcv.ts";

describe("the Lambda DCV checker", () => {
  it("refuses loopback and private addresses without fetching, as the network checker does", async () => {
    const checker = dcv();

    const loopback = await checker.check({
      kind: "http-file",
      url: "http://127.0.0.1/.well-known/pki-validation/x.txt",
      content: "x",
    });
    const privateAddress = await checker.check({
      kind: "http-file",
      url: "http://10.0.0.8/.well-known/pki-validation/x.txt",
      content: "x",
    });

    expect(loopback).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
    expect(privateAddress).toMatchObject({ ok: false, cause: "ADDRESS_NOT_PUBLIC" });
  });

  it("looks up CAA, skipping IP addresses, through the same checker", async () => {
    const checker = dcv();

    expect(checker.caa).toBeDefined();
    await expect(checker.caa?.("192.0.2.7")).resolves.toEqual({ kind: "none" });
  });
});
