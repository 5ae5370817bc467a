import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { AcmeCertificateAuthority } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import { CaRejected, CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";
import { memoryVault, placeOrder } from "../../../support/acme-test-kit.ts";
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

const placeStubOrder = (ca: AcmeCertificateAuthority, orderId = "ord_stub") =>
  placeOrder(ca, { orderId, names: ["stub.certflow.test"], method: "dns-txt" });

/** The error the call fails with. Nothing inside a call waits (not acme-client's retries, not a
 * Retry-After): a call that took long fails the test. */
async function failureAtOnce(promise: Promise<unknown>): Promise<Error> {
  const started = Date.now();
  const error = await promise.then(
    () => new Error("expected a failure"),
    (failure: unknown) => failure as Error,
  );
  expect(Date.now() - started).toBeLessThan(1_500);
  return error;
}

const postsTo = (path: string) => stub.requests().filter((line) => line === `POST ${path}`);

describe("ACME adapter: answers Pebble does not give", () => {
  it("passes a pending order's Retry-After on to the state machine", async () => {
    // Prepare
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    const before = await ca.validationProgress(placed.caOrderRef);
    stub.answer(STUB_PATHS.order, stub.orderAnswer("pending", "7"));

    // Act
    const progress = await ca.validationProgress(placed.caOrderRef);

    // Assess
    expect(placed.caOrderRef).toBe(stub.orderUrl);
    expect(before).toEqual({ state: "pending" });
    expect(progress).toEqual({ state: "pending", retryAfterSeconds: 7 });
  });

  it("posts again a pending challenge that carries the CA's error, and reports that error", async () => {
    // Prepare: as step-ca does, the challenge failed but stays pending with its error.
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    const base = stub.directoryUrl.replace(STUB_PATHS.directory, "");
    const challenge = { type: "dns-01", url: `${base}/chall/1`, token: "stub-token" };
    stub.answer(STUB_PATHS.authorization, {
      status: 200,
      body: {
        identifier: { type: "dns", value: "stub.certflow.test" },
        status: "pending",
        challenges: [
          {
            ...challenge,
            status: "pending",
            error: {
              type: "urn:ietf:params:acme:error:connection",
              detail: "lookup _acme-challenge.stub.certflow.test: no such host",
            },
          },
        ],
      },
    });
    stub.answer("/chall/1", { status: 200, body: { ...challenge, status: "pending" } });

    // Act
    const progress = await ca.validationProgress(placed.caOrderRef);

    // Assess
    expect(progress).toMatchObject({ state: "pending" });
    const problems = progress.state === "pending" ? (progress.problems ?? []) : [];
    expect(problems).toHaveLength(1);
    expect(problems[0]?.domain).toBe("stub.certflow.test");
    expect(problems[0]?.detail).toContain("connection");
    expect(problems[0]?.detail).toContain("no such host");
    expect(postsTo("/chall/1")).toHaveLength(1);
  });

  it("an invalid challenge while the order stays pending fails the validation with the CA's error", async () => {
    // Prepare
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    const base = stub.directoryUrl.replace(STUB_PATHS.directory, "");
    stub.answer(STUB_PATHS.authorization, {
      status: 200,
      body: {
        identifier: { type: "dns", value: "stub.certflow.test" },
        status: "pending",
        challenges: [
          {
            type: "dns-01",
            url: `${base}/chall/1`,
            token: "stub-token",
            status: "invalid",
            error: {
              type: "urn:ietf:params:acme:error:rejectedIdentifier",
              detail: "the CA will not issue for this name",
            },
          },
        ],
      },
    });

    // Act
    const progress = await ca.validationProgress(placed.caOrderRef);

    // Assess
    expect(progress.state).toBe("invalid");
    const reason = progress.state === "invalid" ? progress.reason : "";
    expect(reason).toContain("stub.certflow.test");
    expect(reason).toContain("rejectedIdentifier");
    expect(reason).toContain("the CA will not issue for this name");
    expect(postsTo("/chall/1")).toHaveLength(0);
  });

  it("passes a processing order's Retry-After on, from finalize and from later reads", async () => {
    // Prepare
    const ca = stubAuthority();
    const placed = await placeStubOrder(ca);
    stub.answer(STUB_PATHS.order, stub.orderAnswer("ready"));
    const inThreeSeconds = "Mon, 23 Nov 2026 10:00:03 GMT";
    stub.answer(STUB_PATHS.finalize, stub.orderAnswer("processing", inThreeSeconds));
    const csr = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";

    // Act
    const finalized = await ca.finalize(placed.caOrderRef, csr, 90);
    stub.answer(STUB_PATHS.order, stub.orderAnswer("processing", "2"));
    const later = await ca.certificateProgress(placed.caOrderRef);

    // Assess
    expect(finalized).toEqual({ state: "processing", retryAfterSeconds: 3 });
    expect(later).toEqual({ state: "processing", retryAfterSeconds: 2 });
    expect(postsTo(STUB_PATHS.finalize)).toHaveLength(1);
  });

  it("a reused authorization listing only another challenge type still gets instructions", async () => {
    // Prepare
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

    // Act
    const placed = await placeStubOrder(stubAuthority());

    // Assess
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
    // Prepare
    const ca = stubAuthority();
    stub.answer(STUB_PATHS.newOrder, {
      status: 429,
      headers: { "Retry-After": "3600" },
      body: {
        type: "urn:ietf:params:acme:error:rateLimited",
        detail: "too many new orders recently",
      },
    });

    // Act
    const error = await failureAtOnce(placeStubOrder(ca));

    // Assess
    expect(error).toBeInstanceOf(CaRejected);
    expect(error.message).toBe(
      "Placing order ord_stub: the CA's rate limit was reached (HTTP 429, urn:ietf:params:acme:error:rateLimited: too many new orders recently); it accepts new requests after 2026-11-23T11:00:00.000Z.",
    );
    expect(postsTo(STUB_PATHS.newOrder)).toHaveLength(1);
  });

  it("a 503 with a problem document is CaUnavailable at once, naming the problem", async () => {
    // Prepare
    stub.answer(STUB_PATHS.directory, {
      status: 503,
      body: {
        type: "urn:ietf:params:acme:error:serverInternal",
        detail: "The service is down for maintenance",
      },
    });

    // Act
    const error = await failureAtOnce(placeStubOrder(stubAuthority()));

    // Assess
    expect(error).toBeInstanceOf(CaUnavailable);
    expect(error.message).toBe(
      "Registering the ACME account: the CA is unavailable (HTTP 503, urn:ietf:params:acme:error:serverInternal: The service is down for maintenance).",
    );
    expect(stub.requests()).toEqual([`GET ${STUB_PATHS.directory}`]);
  });

  it("a CA that accepts the connection but never answers is CaUnavailable after the timeout", async () => {
    // Prepare
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      silent.close();
    });
    const { port } = silent.address() as { port: number };
    const ca = stubAuthority(`http://127.0.0.1:${port}/directory`, 300);

    // Act
    const error = await failureAtOnce(placeStubOrder(ca));

    // Assess
    expect(error).toBeInstanceOf(CaUnavailable);
    expect(error.message).toMatch(/could not be reached \(ECONNABORTED: timeout of 300ms/);
  });

  it("an order URL this service never placed is refused without a request", async () => {
    // Prepare
    const ca = stubAuthority();
    const unknownOrder = `${stub.orderUrl}x`;

    // Act
    const finalizing = await ca.finalize(unknownOrder, "csr", 90).catch((error: unknown) => error);
    const reading = await ca.certificateProgress(unknownOrder).catch((error: unknown) => error);

    // Assess
    expect(finalizing).toBeInstanceOf(CaRejected);
    expect((reading as Error).message).toMatch(/No ACME order .* was placed through this service/);
    expect(stub.requests()).toEqual([]);
  });
});

describe("ACME adapter: a CA that hands back an account's pending order, as Let's Encrypt does", () => {
  const deactivations = () =>
    stub
      .payloads()
      .filter((sent) => JSON.stringify(sent.payload) === JSON.stringify({ status: "deactivated" }));

  it("gives up the order another certflow order placed and places a fresh one", async () => {
    // Prepare
    const ca = stubAuthority();
    const first = await placeStubOrder(ca, "ord_first");
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

    // Act
    const second = await placeStubOrder(ca, "ord_second");
    const firstValidation = await ca
      .validationProgress(first.caOrderRef)
      .catch((error: unknown) => error);
    const firstFinalize = await ca
      .finalize(first.caOrderRef, "csr", 90)
      .catch((error: unknown) => error);
    // The same certflow order placed again (a retried step) keeps its CA order.
    const retried = await placeStubOrder(ca, "ord_second");

    // Assess
    expect(first.caOrderRef).toBe(stub.orderUrl);
    expect(second.caOrderRef).toBe(freshUrl);
    expect(deactivations().map((sent) => sent.path)).toEqual([STUB_PATHS.authorization]);
    // The first order can no longer validate or issue, and says why.
    expect((firstValidation as Error).message).toContain(
      "The CA's order was given up for order ord_second, placed later for the same names.",
    );
    expect(firstFinalize).toBeInstanceOf(CaRejected);
    expect(retried.caOrderRef).toBe(freshUrl);
    expect(deactivations()).toHaveLength(1);
  });

  it("refuses, naming the other order, when the CA keeps answering with it", async () => {
    // Prepare
    const ca = stubAuthority();
    await placeStubOrder(ca, "ord_first");

    // Act
    const refused = await failureAtOnce(placeStubOrder(ca, "ord_second"));

    // Assess
    expect(refused).toBeInstanceOf(CaRejected);
    expect(refused.message).toContain("which order ord_first placed for the same names");
  });
});
