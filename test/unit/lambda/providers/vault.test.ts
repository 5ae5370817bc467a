import { describe, expect, it, vi } from "vitest";
import { secretsManagerPassphrases } from "../../../../functions/lambda/providers/vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";

describe("key passphrases from Secrets Manager", () => {
  const secret = "s".repeat(64);

  it("derive exactly as the local host does, reading the secret once", async () => {
    const send = vi.fn(async () => ({ SecretString: secret }));
    const passphrases = secretsManagerPassphrases({ send } as never, "arn:secret");
    const expected = await derivedKeyPassphrases(Buffer.from(secret, "utf8")).forObject("a");
    expect(await passphrases.forObject("a")).toBe(expected);
    await passphrases.forObject("b");
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("retry after a failed read, and refuse a short secret", async () => {
    const send = vi
      .fn()
      .mockRejectedValueOnce(new Error("throttled"))
      .mockResolvedValueOnce({ SecretString: secret });
    const passphrases = secretsManagerPassphrases({ send } as never, "arn:secret");
    await expect(passphrases.forObject("a")).rejects.toThrow("throttled");
    await expect(passphrases.forObject("a")).resolves.toBeTypeOf("string");
    const short = secretsManagerPassphrases(
      { send: async () => ({ SecretString: "short" }) } as never,
      "arn:secret",
    );
    await expect(short.forObject("a")).rejects.toThrow(/32 characters/);
  });
});
