import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  deliveryIdOf,
  newSigningSecret,
  signedHeaders,
  signingKeyOf,
  signWebhook,
} from "../../../functions/webhooks/signing.ts";

/**
 * The Standard Webhooks reference algorithm, written out by hand from the spec: the key is the
 * base64 after `whsec_`; the signature is base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))
 * behind `v1,`. Receivers verify with exactly this.
 */
function referenceSignature(secret: string, id: string, timestamp: string, body: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

describe("Standard Webhooks signing", () => {
  it("signs the specification's example exactly as its reference libraries do", () => {
    // The vector of the Standard Webhooks libraries' tests (secret, id, timestamp, payload).
    const signature = signWebhook(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );

    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("agrees with the reference algorithm computed by hand for a certflow delivery", () => {
    // Prepare: a key of 32 known bytes, as certflow makes them.
    const secret = `whsec_${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("base64")}`;
    const body =
      '{"type":"order.status_changed","timestamp":"2027-01-10T08:00:00.000Z","data":{"orderId":"ord_1","status":"ISSUED","message":"Issued."}}';

    // Act
    const headers = signedHeaders(
      secret,
      "msg_abcdefghijklmnopqrstuvwxyz",
      new Date("2027-01-10T08:00:05.900Z"),
      body,
    );

    // Assess
    expect(headers["webhook-id"]).toBe("msg_abcdefghijklmnopqrstuvwxyz");
    expect(headers["webhook-timestamp"]).toBe("1799568005");
    expect(headers["webhook-signature"]).toBe(
      referenceSignature(secret, "msg_abcdefghijklmnopqrstuvwxyz", "1799568005", body),
    );
    // As openssl computes it: printf '%s' "<id>.<timestamp>.<body>" | openssl dgst -sha256
    //   -mac HMAC -macopt hexkey:000102…1f -binary | base64
    expect(headers["webhook-signature"]).toBe("v1,3BirLlV2LsoYkhhu43t2gIABB/c/N263FEhwfr9Mw3A=");
  });

  it("makes secrets of 32 random bytes behind whsec_, each new", () => {
    const secrets = new Set(Array.from({ length: 20 }, () => newSigningSecret()));

    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(signingKeyOf(secret)).toHaveLength(32);
    }
  });

  it("verifies as a receiver would, and a changed body, id or timestamp does not", () => {
    const secret = newSigningSecret();
    const body = '{"type":"order.mail_sent"}';
    const headers = signedHeaders(secret, "msg_x", new Date(1_800_000_000_000), body);
    const verify = (id: string, timestamp: string, payload: string) => {
      const expected = Buffer.from(referenceSignature(secret, id, timestamp, payload));
      const given = Buffer.from(headers["webhook-signature"] ?? "");
      return expected.length === given.length && timingSafeEqual(expected, given);
    };

    expect(verify("msg_x", "1800000000", body)).toBe(true);
    expect(verify("msg_x", "1800000000", `${body} `)).toBe(false);
    expect(verify("msg_y", "1800000000", body)).toBe(false);
    expect(verify("msg_x", "1800000001", body)).toBe(false);
  });

  it("derives one delivery id per event and endpoint: msg_ and 26 base32 characters", () => {
    const id = deliveryIdOf("ord_1", "EVENT#2027-01-10T08:00:00.000Z#000003", "wh_1");

    expect(id).toMatch(/^msg_[a-z2-7]{26}$/);
    expect(deliveryIdOf("ord_1", "EVENT#2027-01-10T08:00:00.000Z#000003", "wh_1")).toBe(id);
    expect(deliveryIdOf("ord_1", "EVENT#2027-01-10T08:00:00.000Z#000003", "wh_2")).not.toBe(id);
    expect(deliveryIdOf("ord_1", "EVENT#2027-01-10T08:00:00.000Z#000004", "wh_1")).not.toBe(id);
  });
});
