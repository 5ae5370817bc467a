import { describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryMailer } from "../../../../functions/adapters/memory/memory-mailer.ts";

describe("the in-memory blob store", () => {
  it("keeps bytes and text with their content type, and forgets deleted keys", async () => {
    const blobs = createMemoryBlobStore();
    const bytes = new Uint8Array([0, 255, 1, 254]);
    await blobs.put("keys/a.bin", bytes, "application/octet-stream");
    await blobs.put("certs/a.pem", "-----BEGIN CERTIFICATE-----\nÄ\n", "application/x-pem-file");
    bytes[0] = 9;
    expect(await blobs.get("keys/a.bin")).toEqual(new Uint8Array([0, 255, 1, 254]));
    expect(new TextDecoder().decode(await blobs.get("certs/a.pem"))).toBe(
      "-----BEGIN CERTIFICATE-----\nÄ\n",
    );
    expect(blobs.contentType("certs/a.pem")).toBe("application/x-pem-file");
    expect(blobs.keys()).toEqual(["certs/a.pem", "keys/a.bin"]);
    await blobs.delete("keys/a.bin");
    await blobs.delete("never/there");
    expect(await blobs.get("keys/a.bin")).toBeUndefined();
    expect(blobs.keys()).toEqual(["certs/a.pem"]);
  });

  it("returns a copy, so changing what get answered does not change the object", async () => {
    const blobs = createMemoryBlobStore();
    await blobs.put("k", new Uint8Array([1, 2, 3]), "application/octet-stream");
    const first = await blobs.get("k");
    if (first === undefined) throw new Error("missing");
    first[0] = 7;
    expect(await blobs.get("k")).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe("the in-memory blob store's conditional write", () => {
  it("writes only when no object has the key, and says whether it wrote", async () => {
    const blobs = createMemoryBlobStore();

    const first = await blobs.putIfAbsent("ca/record.json", "first", "application/json");
    const second = await blobs.putIfAbsent("ca/record.json", "second", "application/json");

    expect([first, second]).toEqual([true, false]);
    expect(new TextDecoder().decode(await blobs.get("ca/record.json"))).toBe("first");
  });
});

describe("the in-memory mailer", () => {
  it("keeps every message sent, in order", async () => {
    const mailer = createMemoryMailer();
    await mailer.send({ to: ["ada@example.com"], subject: "One", text: "first" });
    await mailer.send({
      to: ["bob@example.com", "eve@example.com"],
      subject: "Two",
      text: "b",
      html: "<p>b</p>",
    });
    expect(mailer.sent).toEqual([
      { to: ["ada@example.com"], subject: "One", text: "first" },
      { to: ["bob@example.com", "eve@example.com"], subject: "Two", text: "b", html: "<p>b</p>" },
    ]);
  });
});
