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

const connectionFailure = (code: string, message: string): AcmeExchange => ({
  method: "POST",
  url: URL,
  networkError: { code, message },
});

describe("ACME problem documents as the port's errors", () => {
  it.each([
    {
      case: "4xx problems are CaRejected carrying the ACME error type and detail",
      step: "placing order ord_1",
      exchange: answer(403, problem("caa", "CAA record for example.com prevents issuance")),
      error: CaRejected,
      message:
        "Placing order ord_1: the CA refused (HTTP 403, urn:ietf:params:acme:error:caa: CAA record for example.com prevents issuance).",
    },
    {
      case: "a 4xx without a problem document is still CaRejected, with the status",
      step: "reading the order's certificate",
      exchange: answer(404, "Not Found"),
      error: CaRejected,
      message: "Reading the order's certificate: the CA refused (HTTP 404).",
    },
    {
      case: "rate limits are CaRejected with the time the CA accepts requests again (seconds)",
      step: "placing order ord_3",
      exchange: answer(
        429,
        problem("rateLimited", "too many certificates (5) already issued"),
        "3600",
      ),
      error: CaRejected,
      message:
        "Placing order ord_3: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued); it accepts new requests after 2026-11-23T11:00:00.000Z.",
    },
    {
      case: "rate limits are CaRejected with the time the CA accepts requests again (HTTP date)",
      step: "placing order ord_3",
      exchange: answer(429, problem("rateLimited", "slow down"), "Mon, 23 Nov 2026 12:30:00 GMT"),
      error: CaRejected,
      message:
        "Placing order ord_3: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: slow down); it accepts new requests after 2026-11-23T12:30:00.000Z.",
    },
    {
      case: "rate limits without Retry-After are CaRejected naming no time",
      step: "placing order ord_3",
      exchange: answer(429, problem("rateLimited", "slow down")),
      error: CaRejected,
      message:
        "Placing order ord_3: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: slow down).",
    },
    {
      case: "5xx answers with a problem document are CaUnavailable",
      step: "finalizing the order",
      exchange: answer(503, problem("serverInternal", "maintenance")),
      error: CaUnavailable,
      message:
        "Finalizing the order: the CA is unavailable (HTTP 503, urn:ietf:params:acme:error:serverInternal: maintenance).",
    },
    {
      case: "5xx answers without a problem document are CaUnavailable",
      step: "finalizing the order",
      exchange: answer(502, "<html>Bad Gateway</html>"),
      error: CaUnavailable,
      message: "Finalizing the order: the CA is unavailable (HTTP 502).",
    },
    {
      case: "nonces refused after every retry are transient: CaUnavailable",
      step: "asking the CA to validate",
      exchange: answer(400, problem("badNonce", "JWS has an invalid anti-replay nonce")),
      error: CaUnavailable,
      message:
        "Asking the CA to validate: the CA kept refusing fresh nonces (HTTP 400, urn:ietf:params:acme:error:badNonce: JWS has an invalid anti-replay nonce).",
    },
    ...(
      [
        ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:14000"],
        ["ECONNRESET", "socket hang up"],
        ["ECONNABORTED", "timeout of 10000ms exceeded"],
      ] as const
    ).map(([code, detail]) => ({
      case: `${code} connections are CaUnavailable naming the cause`,
      step: "reading the order's validation",
      exchange: connectionFailure(code, detail),
      error: CaUnavailable,
      message: `Reading the order's validation: the CA at acme.example could not be reached (${code}: ${detail}).`,
    })),
  ])("$case", ({ step, exchange, error, message }) => {
    const caError = caErrorForExchange(step, exchange, NOW);

    expect(caError).toBeInstanceOf(error);
    expect(caError.message).toBe(message);
  });

  it("subproblems name each identifier", () => {
    // Prepare
    const exchange = answer(
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
    );

    // Act
    const error = caErrorForExchange("placing order ord_2", exchange, NOW);

    // Assess
    expect(error).toBeInstanceOf(CaRejected);
    expect(error.message).toContain(
      "urn:ietf:params:acme:error:rejectedIdentifier: Some identifiers were rejected (bad.example: urn:ietf:params:acme:error:rejectedIdentifier: Domain name is on the blocklist; b_d.example: urn:ietf:params:acme:error:malformed: Domain name contains an invalid character)",
    );
  });

  it("errors the adapter raised pass through; errors without a failed exchange are kept", () => {
    const own = new CaRejected("The CA has not validated every name of the order yet.");
    const surprise = new Error("Creating a new order did not return an order link");

    expect(caErrorFor("finalizing", own, answer(500, {}), NOW)).toBe(own);
    expect(caErrorFor("placing", surprise, undefined, NOW)).toBe(surprise);
    expect(caErrorFor("placing", surprise, answer(500, {}), NOW)).toBeInstanceOf(CaUnavailable);
  });

  it.each([
    ["120", 120],
    ["Mon, 23 Nov 2026 10:01:30 GMT", 90],
    ["Mon, 23 Nov 2026 09:00:00 GMT", 0],
    [undefined, undefined],
    ["soon", undefined],
  ])("reads Retry-After %j as %j seconds", (header, seconds) => {
    expect(retryAfterSeconds(header, NOW)).toBe(seconds);
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
    // Prepare
    const authorizations: Parameters<typeof invalidOrderReason>[1] = [
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
    ];

    // Act
    const reason = invalidOrderReason(order, authorizations);

    // Assess
    expect(reason).toBe(
      "*.example.com: urn:ietf:params:acme:error:unauthorized: No TXT record found at _acme-challenge.example.com; old.example.com: the authorization is expired",
    );
  });

  it("falls back to the order's own error", () => {
    const failed = { ...order, error: problem("badCSR", "CSR names do not match") };

    expect(invalidOrderReason(failed, [])).toBe(
      "urn:ietf:params:acme:error:badCSR: CSR names do not match",
    );
  });
});
