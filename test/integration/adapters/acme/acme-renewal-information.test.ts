import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AcmeCaDirectory } from "../../../../functions/adapters/acme/acme-ca-directory.ts";
import { AcmeCertificateAuthority } from "../../../../functions/adapters/acme/acme-certificate-authority.ts";
import { CaRejected, CaUnavailable } from "../../../../functions/ports/certificate-authority.ts";
import { memoryVault, pebbleForFile } from "../../../support/acme-test-kit.ts";
import { STUB_PATHS, startStubAcmeCa } from "../../../support/stub-acme-ca.ts";

// The CA-facing half of ACME Renewal Information (RFC 9773) and ACME profiles: the directory's
// `renewalInfo` and `meta.profiles`, the unauthenticated GET of a certificate's window, and
// `replaces` / `profile` in newOrder. Pebble 2.4 has neither, so a stub speaks them; Pebble
// shows the directory is read over HTTPS with the adapter's own trust.

const NOW = new Date("2027-01-10T08:00:00Z");
const CERT_ID = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
const RENEWAL_INFO_PATH = "/renewal-info";

let stub: Awaited<ReturnType<typeof startStubAcmeCa>>;

beforeEach(async () => {
  stub = await startStubAcmeCa();
});

afterEach(async () => {
  await stub.close();
});

const baseUrl = () => stub.directoryUrl.slice(0, -STUB_PATHS.directory.length);

/** The stub's directory with ARI and profiles added. */
function offerRenewalInfoAndProfiles(profiles: Record<string, unknown> = {}) {
  stub.answer(STUB_PATHS.directory, {
    status: 200,
    body: {
      newNonce: `${baseUrl()}${STUB_PATHS.newNonce}`,
      newAccount: `${baseUrl()}${STUB_PATHS.newAccount}`,
      newOrder: `${baseUrl()}${STUB_PATHS.newOrder}`,
      revokeCert: `${baseUrl()}/revoke`,
      keyChange: `${baseUrl()}/key-change`,
      renewalInfo: `${baseUrl()}${RENEWAL_INFO_PATH}`,
      meta: { profiles },
    },
  });
}

function windowAnswer(
  window: unknown,
  options: { retryAfter?: string; explanationURL?: unknown; status?: number } = {},
) {
  stub.answer(`${RENEWAL_INFO_PATH}/${CERT_ID}`, {
    status: options.status ?? 200,
    headers: options.retryAfter === undefined ? {} : { "Retry-After": options.retryAfter },
    body: {
      suggestedWindow: window,
      ...(options.explanationURL === undefined ? {} : { explanationURL: options.explanationURL }),
    },
  });
}

const directoryOf = (directoryUrl = stub.directoryUrl) =>
  new AcmeCaDirectory({ directoryUrl, requestTimeoutMs: 2_000, now: () => NOW });

describe("AcmeCaDirectory against a CA that speaks ARI and profiles", () => {
  it("reads the profiles the directory offers", async () => {
    offerRenewalInfoAndProfiles({
      classic: "The same profile as before",
      tlsserver: "https://ca.example/docs/profiles#tlsserver",
      shortlived: { odd: "shape" },
    });

    expect(await directoryOf().profiles()).toEqual({
      classic: "The same profile as before",
      tlsserver: "https://ca.example/docs/profiles#tlsserver",
      shortlived: "",
    });
  });

  it("GETs a certificate's window at {renewalInfo}/{CertID}, unsigned, with its Retry-After and explanation", async () => {
    offerRenewalInfoAndProfiles();
    windowAnswer(
      { start: "2027-02-20T00:00:00Z", end: "2027-02-22T00:00:00Z" },
      { retryAfter: "21600", explanationURL: "https://ca.example/incident/42" },
    );

    const window = await directoryOf().renewalWindow(CERT_ID);

    expect(window).toEqual({
      start: new Date("2027-02-20T00:00:00Z"),
      end: new Date("2027-02-22T00:00:00Z"),
      explanationUrl: "https://ca.example/incident/42",
      retryAfterSeconds: 21_600,
    });
    expect(stub.requests()).toContain(`GET ${RENEWAL_INFO_PATH}/${CERT_ID}`);
    expect(stub.requests().filter((line) => line.startsWith("POST"))).toEqual([]);
  });

  it("reads the directory once for many windows", async () => {
    offerRenewalInfoAndProfiles();
    windowAnswer({ start: "2027-02-20T00:00:00Z", end: "2027-02-22T00:00:00Z" });
    const directory = directoryOf();

    await directory.renewalWindow(CERT_ID);
    await directory.renewalWindow(CERT_ID);
    await directory.profiles();

    expect(stub.requests().filter((line) => line === `GET ${STUB_PATHS.directory}`)).toHaveLength(
      1,
    );
  });

  it.each([
    [undefined, 21_600],
    ["5", 60],
    ["604800", 86_400],
    ["Sun, 10 Jan 2027 09:00:00 GMT", 3_600],
    ["whenever", 21_600],
  ])(
    "takes Retry-After %s as %i s (a minute to a day, six hours without)",
    async (header, seconds) => {
      offerRenewalInfoAndProfiles();
      windowAnswer(
        { start: "2027-02-20T00:00:00Z", end: "2027-02-22T00:00:00Z" },
        header === undefined ? {} : { retryAfter: header },
      );

      expect((await directoryOf().renewalWindow(CERT_ID))?.retryAfterSeconds).toBe(seconds);
    },
  );

  it("leaves out an explanation that is not a web URL", async () => {
    offerRenewalInfoAndProfiles();
    windowAnswer(
      { start: "2027-02-20T00:00:00Z", end: "2027-02-22T00:00:00Z" },
      { explanationURL: "javascript:alert(1)" },
    );

    expect(await directoryOf().renewalWindow(CERT_ID)).not.toHaveProperty("explanationUrl");
  });

  it.each([
    ["an end before its start", { start: "2027-02-22T00:00:00Z", end: "2027-02-20T00:00:00Z" }],
    ["an end equal to its start", { start: "2027-02-22T00:00:00Z", end: "2027-02-22T00:00:00Z" }],
    ["no times", {}],
    ["no window", undefined],
    ["times that are not times", { start: "soon", end: "later" }],
  ])(
    "answers CaUnavailable for a window with %s (RFC 9773 §4.2: as no answer)",
    async (_what, window) => {
      offerRenewalInfoAndProfiles();
      windowAnswer(window);

      await expect(directoryOf().renewalWindow(CERT_ID)).rejects.toThrow(
        /no usable suggestedWindow/,
      );
    },
  );

  it("answers CaUnavailable naming the CA's problem for a non-2xx answer", async () => {
    offerRenewalInfoAndProfiles();
    stub.answer(`${RENEWAL_INFO_PATH}/${CERT_ID}`, {
      status: 404,
      body: { type: "urn:ietf:params:acme:error:malformed", detail: "Certificate not found" },
    });

    const failure = await directoryOf()
      .renewalWindow(CERT_ID)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CaUnavailable);
    expect(String(failure)).toMatch(
      /HTTP 404, urn:ietf:params:acme:error:malformed: Certificate not found/,
    );
  });

  it("answers CaUnavailable when the directory fails, and reads it again next time", async () => {
    stub.answerOnce(STUB_PATHS.directory, { status: 503, body: { detail: "maintenance" } });
    offerRenewalInfoAndProfiles({ classic: "Classic" });
    const directory = directoryOf();

    await expect(directory.profiles()).rejects.toBeInstanceOf(CaUnavailable);
    expect(await directory.profiles()).toEqual({ classic: "Classic" });
  });

  it("answers CaUnavailable when nothing answers", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });

    await expect(
      directoryOf(`http://127.0.0.1:${closed}/directory`).renewalWindow(CERT_ID),
    ).rejects.toThrow(/could not be reached \(ECONNREFUSED/);
  });

  it("refuses to put anything but a CertID into the URL", async () => {
    offerRenewalInfoAndProfiles();

    await expect(directoryOf().renewalWindow("../account/1")).rejects.toBeInstanceOf(RangeError);
    expect(stub.requests()).toEqual([]);
  });
});

describe("AcmeCaDirectory against a CA without them", () => {
  it("answers no window and no profiles for a directory without renewalInfo and meta.profiles", async () => {
    const directory = directoryOf();

    expect(await directory.renewalWindow(CERT_ID)).toBeUndefined();
    expect(await directory.profiles()).toEqual({});
    expect(stub.requests()).toEqual([`GET ${STUB_PATHS.directory}`]);
  });
});

describe("newOrder with replaces and profile", () => {
  function stubAuthority() {
    return new AcmeCertificateAuthority({
      directoryUrl: stub.directoryUrl,
      contactEmail: "pki-team@certflow.test",
      vault: memoryVault().vault,
      requestTimeoutMs: 2_000,
      now: () => NOW,
    });
  }

  const place = (ca: AcmeCertificateAuthority, extra: { profile?: string; replaces?: string }) =>
    ca.placeOrder({
      orderId: "ord_renewal",
      tenantId: "tenant-a",
      names: [{ ascii: "stub.certflow.test", display: "stub.certflow.test", wildcard: false }],
      method: "dns-txt",
      ...extra,
    });

  const newOrderPayloads = () =>
    stub
      .payloads()
      .filter(({ path }) => path === STUB_PATHS.newOrder)
      .map(({ payload }) => payload);

  it("sends the profile and the certificate it replaces", async () => {
    await place(stubAuthority(), { profile: "shortlived", replaces: CERT_ID });

    expect(newOrderPayloads()).toEqual([
      {
        identifiers: [{ type: "dns", value: "stub.certflow.test" }],
        profile: "shortlived",
        replaces: CERT_ID,
      },
    ]);
  });

  it("sends neither when the order has neither", async () => {
    await place(stubAuthority(), {});

    expect(newOrderPayloads()).toEqual([
      { identifiers: [{ type: "dns", value: "stub.certflow.test" }] },
    ]);
  });

  it.each([
    ["alreadyReplaced", 409],
    ["malformed", 400],
    ["unauthorized", 403],
  ])(
    "places the order again without replaces when the CA refuses it (%s)",
    async (type, status) => {
      stub.answerOnce(STUB_PATHS.newOrder, {
        status,
        body: { type: `urn:ietf:params:acme:error:${type}`, detail: "refused replaces" },
      });

      const placed = await place(stubAuthority(), { profile: "classic", replaces: CERT_ID });

      expect(placed.caOrderRef).toBe(stub.orderUrl);
      expect(newOrderPayloads()).toEqual([
        expect.objectContaining({ replaces: CERT_ID, profile: "classic" }),
        { identifiers: [{ type: "dns", value: "stub.certflow.test" }], profile: "classic" },
      ]);
    },
  );

  it("does not retry without replaces when the CA refuses for a reason of its own (rate limit)", async () => {
    stub.answerOnce(STUB_PATHS.newOrder, {
      status: 429,
      body: { type: "urn:ietf:params:acme:error:rateLimited", detail: "too many" },
    });

    await expect(place(stubAuthority(), { replaces: CERT_ID })).rejects.toBeInstanceOf(CaRejected);
    expect(newOrderPayloads()).toHaveLength(1);
  });
});

describe("AcmeCaDirectory over HTTPS (Pebble)", () => {
  const testbed = pebbleForFile();

  it("reads Pebble's directory with the extra trust, and offers no window and no profiles", async () => {
    const directory = new AcmeCaDirectory({
      directoryUrl: testbed.pebble.directoryUrl,
      extraTrustedCaPem: testbed.pebble.httpsTrustPem,
      requestTimeoutMs: 3_000,
    });

    expect(await directory.profiles()).toEqual({});
    expect(await directory.renewalWindow(CERT_ID)).toBeUndefined();
  });

  it("does not trust Pebble's HTTPS without it", async () => {
    const directory = new AcmeCaDirectory({
      directoryUrl: testbed.pebble.directoryUrl,
      requestTimeoutMs: 3_000,
    });

    await expect(directory.profiles()).rejects.toThrow(/could not be reached .*certificate/i);
  });
});
