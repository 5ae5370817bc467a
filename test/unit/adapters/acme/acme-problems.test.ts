import { describe, expect, it } from "vitest";
import { invalidOrderReason } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import type { AcmeExchange } from "../../../../functions/adapters/acme/acme-http-calls.ts";
import {
  caErrorFor,
  caErrorForExchange,
  retryAfterSeconds,
} from "../../../../functions/adapters/acme/acme-problems.ts";
import { CaRejected, CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";

const NOW = new Date("2026-11-23T10:00:00Z");
const URL = "https://acme.example/acme/new-order";

function answer(status: number, body: unknown, retryAfter?: string): AcmeExchange {
  return { method: "POST", url: URL, status, body, ...(retryAfter ? { retryAfter } : {}) };
}

const problem = (name: string, detail: string, extra: object = {}) => ({
  type: `urn:ietf:params:acme:error:${name}`,
  detail,
  status: 400,
  ...extra,
});

describe("ACME problem documents as the port's errors", () => {
  it("4xx problems are CaRejected carrying the ACME error type and detail", () => {
    const caa = caErrorForExchange(
      "placing order ord_1",
      answer(403, problem("caa", "CAA record for example.com prevents issuance")),
      NOW,
    );
    expect(caa).toBeInstanceOf(CaRejected);
    expect(caa.message).toBe(
      "Placing order ord_1: the CA refused (HTTP 403, urn:ietf:params:acme:error:caa: CAA record for example.com prevents issuance).",
    );
  });

  it("subproblems name each identifier", () => {
    const error = caErrorForExchange(
      "placing order ord_2",
      answer(
        400,
        problem("rejectedIdentifier", "Some identifiers were rejected", {
          subproblems: [
            problem("rejectedIdentifier", "Domain name is on the blocklist", {
              identifier: { type: "dns", value: "bad.example" },
            }),
            problem("malformed", "Domain name contains an invalid character", {
              identifier: { type: "dns", value: "b_d.example" },
            }),
          ],
        }),
      ),
      NOW,
    );
    expect(error).toBeInstanceOf(CaRejected);
    expect(error.message).toContain(
      "urn:ietf:params:acme:error:rejectedIdentifier: Some identifiers were rejected (bad.example: urn:ietf:params:acme:error:rejectedIdentifier: Domain name is on the blocklist; b_d.example: urn:ietf:params:acme:error:malformed: Domain name contains an invalid character)",
    );
  });

  it("rate limits are CaRejected with the time the CA accepts requests again", () => {
    const inSeconds = caErrorForExchange(
      "placing order ord_3",
      answer(429, problem("rateLimited", "too many certificates (5) already issued"), "3600"),
      NOW,
    );
    expect(inSeconds).toBeInstanceOf(CaRejected);
    expect(inSeconds.message).toBe(
      "Placing order ord_3: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued); it accepts new requests after 2026-11-23T11:00:00.000Z.",
    );
    const atDate = caErrorForExchange(
      "placing order ord_3",
      answer(429, problem("rateLimited", "slow down"), "Mon, 23 Nov 2026 12:30:00 GMT"),
      NOW,
    );
    expect(atDate.message).toContain("after 2026-11-23T12:30:00.000Z");
    const withoutHeader = caErrorForExchange(
      "placing order ord_3",
      answer(429, problem("rateLimited", "slow down")),
      NOW,
    );
    expect(withoutHeader).toBeInstanceOf(CaRejected);
    expect(withoutHeader.message).not.toContain("after");
  });

  it("5xx answers are CaUnavailable, with or without a problem document", () => {
    const withProblem = caErrorForExchange(
      "finalizing the order",
      answer(503, problem("serverInternal", "maintenance")),
      NOW,
    );
    expect(withProblem).toBeInstanceOf(CaUnavailable);
    expect(withProblem.message).toBe(
      "Finalizing the order: the CA is unavailable (HTTP 503, urn:ietf:params:acme:error:serverInternal: maintenance).",
    );
    const bare = caErrorForExchange(
      "finalizing the order",
      answer(502, "<html>Bad Gateway</html>"),
      NOW,
    );
    expect(bare).toBeInstanceOf(CaUnavailable);
    expect(bare.message).toContain("(HTTP 502)");
  });

  it("refused, reset and timed-out connections are CaUnavailable naming the cause", () => {
    for (const [code, message] of [
      ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:14000"],
      ["ECONNRESET", "socket hang up"],
      ["ECONNABORTED", "timeout of 10000ms exceeded"],
    ] as const) {
      const error = caErrorForExchange(
        "reading the order's validation",
        { method: "POST", url: URL, networkError: { code, message } },
        NOW,
      );
      expect(error).toBeInstanceOf(CaUnavailable);
      expect(error.message).toBe(
        `Reading the order's validation: the CA at acme.example could not be reached (${code}: ${message}).`,
      );
    }
  });

  it("nonces refused after every retry are transient: CaUnavailable", () => {
    const error = caErrorForExchange(
      "asking the CA to validate",
      answer(400, problem("badNonce", "JWS has an invalid anti-replay nonce")),
      NOW,
    );
    expect(error).toBeInstanceOf(CaUnavailable);
  });

  it("a 4xx without a problem document is still CaRejected, with the status", () => {
    const error = caErrorForExchange(
      "reading the order's certificate",
      answer(404, "Not Found"),
      NOW,
    );
    expect(error).toBeInstanceOf(CaRejected);
    expect(error.message).toBe("Reading the order's certificate: the CA refused (HTTP 404).");
  });

  it("errors the adapter raised pass through; errors without a failed exchange are kept", () => {
    const own = new CaRejected("The CA has not validated every name of the order yet.");
    expect(caErrorFor("finalizing", own, answer(500, {}), NOW)).toBe(own);
    const surprise = new Error("Creating a new order did not return an order link");
    expect(caErrorFor("placing", surprise, undefined, NOW)).toBe(surprise);
    expect(caErrorFor("placing", surprise, answer(500, {}), NOW)).toBeInstanceOf(CaUnavailable);
  });

  it("Retry-After is read as seconds or as an HTTP date", () => {
    expect(retryAfterSeconds("120", NOW)).toBe(120);
    expect(retryAfterSeconds("Mon, 23 Nov 2026 10:01:30 GMT", NOW)).toBe(90);
    expect(retryAfterSeconds("Mon, 23 Nov 2026 09:00:00 GMT", NOW)).toBe(0);
    expect(retryAfterSeconds(undefined, NOW)).toBeUndefined();
    expect(retryAfterSeconds("soon", NOW)).toBeUndefined();
  });
});

describe("why an ACME order is invalid", () => {
  const order = {
    status: "invalid" as const,
    identifiers: [],
    authorizations: [],
    finalize: "",
    url: URL,
  };
  const challenge = (status: "valid" | "invalid" | "pending", error?: object) => ({
    type: "dns-01" as const,
    url: `${URL}/chall`,
    token: "t",
    status,
    ...(error ? { error } : {}),
  });

  it("names each failed name with its challenge's error type and detail", () => {
    const reason = invalidOrderReason(order, [
      {
        url: `${URL}/authz/1`,
        identifier: { type: "dns", value: "example.com" },
        status: "valid",
        challenges: [challenge("valid")],
      },
      {
        url: `${URL}/authz/2`,
        identifier: { type: "dns", value: "example.com" },
        wildcard: true,
        status: "invalid",
        challenges: [
          challenge(
            "invalid",
            problem("unauthorized", "No TXT record found at _acme-challenge.example.com"),
          ),
        ],
      },
      {
        url: `${URL}/authz/3`,
        identifier: { type: "dns", value: "old.example.com" },
        status: "expired",
        challenges: [challenge("pending")],
      },
    ]);
    expect(reason).toBe(
      "*.example.com: urn:ietf:params:acme:error:unauthorized: No TXT record found at _acme-challenge.example.com; old.example.com: the authorization is expired",
    );
  });

  it("falls back to the order's own error", () => {
    expect(
      invalidOrderReason({ ...order, error: problem("badCSR", "CSR names do not match") }, []),
    ).toBe("urn:ietf:params:acme:error:badCSR: CSR names do not match");
  });
});
