import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signedHeaders } from "../../../functions/webhooks/signing.ts";

/** The README's verification snippet, exactly as printed, as a module of its own. */
async function readmeVerifier() {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const block = /```js\n(import \{ createHmac, timingSafeEqual \}[\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error("README has no verification snippet");
  const file = join(mkdtempSync(join(tmpdir(), "certflow-readme-")), "verify.mjs");
  writeFileSync(file, block);
  return (await import(pathToFileURL(file).href)) as {
    verifyWebhook(secret: string, headers: Record<string, string>, body: string): boolean;
  };
}

describe("the README's verification snippet", () => {
  it("accepts what the service signs, and refuses a changed body, another secret or an old timestamp", async () => {
    const { verifyWebhook } = await readmeVerifier();
    const secret = newSigningSecret();
    const body = '{"type":"order.status_changed","timestamp":"2027-01-10T08:00:00.000Z","data":{}}';
    const headers = signedHeaders(secret, "msg_abcdefghijklmnopqrstuvwxyz", new Date(), body);
    const old = signedHeaders(
      secret,
      "msg_abcdefghijklmnopqrstuvwxyz",
      new Date(Date.now() - 600_000),
      body,
    );

    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(
      verifyWebhook(
        secret,
        { ...headers, "webhook-signature": `v1,AAAA ${headers["webhook-signature"]}` },
        body,
      ),
    ).toBe(true);
    expect(verifyWebhook(secret, headers, `${body} `)).toBe(false);
    expect(verifyWebhook(newSigningSecret(), headers, body)).toBe(false);
    expect(verifyWebhook(secret, old, body)).toBe(false);
    expect(verifyWebhook(secret, {}, body)).toBe(false);
  });
});
