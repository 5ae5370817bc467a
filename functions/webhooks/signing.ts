import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` and the
 * base64 of a random key; each delivery carries `webhook-id`, `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" under the key>`.
 */
export const SECRET_PREFIX = "whsec_";

/** Random bytes in a new signing key: 32 (the standard asks for at least 24). */
export const SECRET_KEY_BYTES = 32;

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_KEY_BYTES).toString("base64")}`;
}

/** The HMAC key a secret stands for: the base64 after `whsec_`. */
export function signingKeyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new Error("A webhook signing secret cannot be empty.");
  return key;
}

export function signWebhook(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const signature = createHmac("sha256", signingKeyOf(secret))
    .update(`${messageId}.${timestampSeconds}.${body}`, "utf8")
    .digest("base64");
  return `v1,${signature}`;
}

/** The headers of one attempt: a new timestamp each time, the same id on every attempt. */
export function signedHeaders(
  secret: string,
  messageId: string,
  at: Date,
  body: string,
): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, messageId, timestamp, body),
  };
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * A delivery's `webhook-id`, derived from what it delivers and where: the same event fanned out
 * twice to one endpoint is one delivery. `msg_` and 26 base32 characters (130 bits of SHA-256).
 */
export function deliveryIdOf(...parts: readonly string[]): string {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest();
  let bits = 0;
  let value = 0;
  let text = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && text.length < 26) {
      text += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (text.length >= 26) break;
  }
  return `msg_${text}`;
}
