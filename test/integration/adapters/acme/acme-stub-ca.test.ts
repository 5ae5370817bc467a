import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcmeCertificateAuthority } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import { CaRejected, CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";
import { memoryVault, orderNames } from "../../../support/acme-test-kit.ts";
import { STUB_PATHS, startStubAcmeCa } from "../../../support/stub-acme-ca.ts";

let stub: Awaited<ReturnType<typeof startStubAcmeCa>>;

beforeEach(async () => {
  stub = await startStubAcmeCa();
});

afterEach(async () => {
  await stub.close();
});

const NOW = new Date("2026-11-23T10:00:00Z");

function stubAuthority(directoryUrl = stub.directoryUrl, requestTimeoutMs = 2_000) {
  return new AcmeCertificateAuthority({
    directoryUrl,
    contactEmail: "pki-team@certflow.test",
    vault: memoryVault().vault,
    requestTimeoutMs,
    now: () => NOW,
  });
}

const placeStubOrder = (ca: AcmeCertificateAuthority) =>
  ca.placeOrder({
    tenantId: "tenant-a",
    orderId: "ord_stub",
    names: orderNames("stub.certflow.test"),
    method: "dns-txt",
  });

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const started = Date.now();
  const error = await promise.then(
    () => new Error("expected a failure"),
    (failure: unknown) => failure as Error,
  );
  // Nothing inside a call waits: not acme-client's retries, not a Retry-After.
  expect(Date.now() - started).toBeLessThan(1_500);
  return error;
}

describe("ACME adapter: answers Pebble does not give", () => {
  it("passes a pending order's Retry-After on to the state machine", async () => {
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    expect(placed.caOrderRef).toBe(stub.orderUrl);
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({ state: "pending" });
    stub.answer(STUB_PATHS.order, {
      status: 200,
      headers: { "Retry-After": "7" },
      body: stub.order("pending"),
    });
    expect(await ca.validationProgress(placed.caOrderRef)).toEqual({
      state: "pending",
      retryAfterSeconds: 7,
    });
  });

  it("passes a processing order's Retry-After on, from finalize and from later reads", async () => {
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    stub.answer(STUB_PATHS.order, { status: 200, body: stub.order("ready") });
    stub.answer(STUB_PATHS.finalize, {
      status: 200,
      headers: { "Retry-After": "Mon, 23 Nov 2026 10:00:03 GMT" },
      body: stub.order("processing"),
    });
    const csr = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
    expect(await ca.finalize(placed.caOrderRef, csr, 90)).toEqual({
      state: "processing",
      retryAfterSeconds: 3,
    });
    stub.answer(STUB_PATHS.order, {
      status: 200,
      headers: { "Retry-After": "2" },
      body: stub.order("processing"),
    });
    expect(await ca.certificateProgress(placed.caOrderRef)).toEqual({
      state: "processing",
      retryAfterSeconds: 2,
    });
    expect(stub.requests().filter((line) => line === `POST ${STUB_PATHS.finalize}`)).toHaveLength(
      1,
    );
  });

  it("a reused authorization listing only another challenge type still gets instructions", async () => {
    stub.answer(STUB_PATHS.newOrder, {
      status: 201,
      headers: { Location: stub.orderUrl },
      body: stub.order("ready"),
    });
    stub.answer(STUB_PATHS.authorization, {
      status: 200,
      body: {
        identifier: { type: "dns", value: "stub.certflow.test" },
        status: "valid",
        challenges: [
          { type: "http-01", url: `${stub.orderUrl}/chall`, token: "old-token", status: "valid" },
        ],
      },
    });
    const placed = await placeStubOrder(stubAuthority());
    expect(placed.alreadyValid).toBe(true);
    expect(placed.challenges).toEqual([
      {
        domain: "stub.certflow.test",
        method: "dns-txt",
        instructions: {
          method: "dns-txt",
          recordType: "TXT",
          host: "_acme-challenge.stub.certflow.test",
          // A dns-01 digest (43 base64url characters), not an http-01 key authorization.
          value: expect.stringMatching(/^[\w-]{43}$/),
        },
        alreadyValidated: true,
      },
    ]);
  });

  it("a rate limit is CaRejected at once, with the time the CA takes requests again", async () => {
    const ca = stubAuthority();
    stub.answer(STUB_PATHS.newOrder, {
      status: 429,
      headers: { "Retry-After": "3600" },
      body: {
        type: "urn:ietf:params:acme:error:rateLimited",
        detail: "too many new orders recently",
      },
    });
    const error = await failureOf(placeStubOrder(ca));
    expect(error).toBeInstanceOf(CaRejected);
    expect(error.message).toBe(
      "Placing order ord_stub: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: too many new orders recently); it accepts new requests after 2026-11-23T11:00:00.000Z.",
    );
    expect(stub.requests().filter((line) => line === `POST ${STUB_PATHS.newOrder}`)).toHaveLength(
      1,
    );
  });

  it("a 503 with a problem document is CaUnavailable at once, naming the problem", async () => {
    stub.answer(STUB_PATHS.directory, {
      status: 503,
      body: {
        type: "urn:ietf:params:acme:error:serverInternal",
        detail: "The service is down for maintenance",
      },
    });
    const error = await failureOf(placeStubOrder(stubAuthority()));
    expect(error).toBeInstanceOf(CaUnavailable);
    expect(error.message).toBe(
      "Registering the ACME account: the CA is unavailable (HTTP 503, urn:ietf:params:acme:error:serverInternal: The service is down for maintenance).",
    );
    expect(stub.requests()).toEqual([`GET ${STUB_PATHS.directory}`]);
  });

  it("a CA that accepts the connection but never answers is CaUnavailable after the timeout", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    try {
      const { port } = silent.address() as { port: number };
      const ca = stubAuthority(`http://127.0.0.1:${port}/directory`, 300);
      const error = await failureOf(placeStubOrder(ca));
      expect(error).toBeInstanceOf(CaUnavailable);
      expect(error.message).toMatch(/could not be reached \(ECONNABORTED: timeout of 300ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("an order URL this service never placed is refused without a request", async () => {
    const ca = stubAuthority();
    await expect(ca.finalize(`${stub.orderUrl}x`, "csr", 90)).rejects.toThrow(CaRejected);
    await expect(ca.certificateProgress(`${stub.orderUrl}x`)).rejects.toThrow(
      /No ACME order .* was placed through this service/,
    );
    expect(stub.requests()).toEqual([]);
  });
});

describe("ACME adapter: a CA that hands back an account's pending order, as Let's Encrypt does", () => {
  const names = orderNames("stub.certflow.test");
  const place = (ca: AcmeCertificateAuthority, orderId: string) =>
    ca.placeOrder({ tenantId: "tenant-a", orderId, names, method: "dns-txt" });
  const deactivations = () =>
    stub
      .payloads()
      .filter((sent) => JSON.stringify(sent.payload) === JSON.stringify({ status: "deactivated" }));

  it("gives up the order another certflow order placed and places a fresh one", async () => {
    const ca = stubAuthority();
    const first = await place(ca, "ord_first");
    expect(first.caOrderRef).toBe(stub.orderUrl);

    const freshUrl = stub.orderUrl.replace(/1$/, "2");
    stub.answer(STUB_PATHS.newOrder, {
      status: 201,
      headers: { Location: freshUrl },
      body: stub.order("pending"),
    });
    stub.answerOnce(STUB_PATHS.newOrder, {
      status: 201,
      headers: { Location: stub.orderUrl },
      body: stub.order("pending"),
    });
    stub.answer(new URL(freshUrl).pathname, { status: 200, body: stub.order("pending") });

    const second = await place(ca, "ord_second");
    expect(second.caOrderRef).toBe(freshUrl);
    expect(deactivations().map((sent) => sent.path)).toEqual([STUB_PATHS.authorization]);
    // The first order can no longer validate or issue, and says why.
    await expect(ca.validationProgress(first.caOrderRef)).rejects.toThrow(
      "The CA's order was given up for order ord_second, placed later for the same names.",
    );
    await expect(ca.finalize(first.caOrderRef, "csr", 90)).rejects.toThrow(CaRejected);

    // The same certflow order placed again (a retried step) keeps its CA order.
    const retried = await place(ca, "ord_second");
    expect(retried.caOrderRef).toBe(freshUrl);
    expect(deactivations()).toHaveLength(1);
  });

  it("refuses, naming the other order, when the CA keeps answering with it", async () => {
    const ca = stubAuthority();
    await place(ca, "ord_first");
    const refused = await failureOf(place(ca, "ord_second"));
    expect(refused).toBeInstanceOf(CaRejected);
    expect(refused.message).toContain("which order ord_first placed for the same names");
  });
});
