import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryBlobStore,
  type MemoryBlobStore,
} from "../../../../functions/adapters/memory/memory-blob-store.ts";
import {
  DOCUMENTS_PER_ORDER,
  UPLOADS_PER_HOUR,
} from "../../../../functions/api/routes/upload-document.ts";
import type { AllDependencies } from "../../../../functions/composition/needs.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import type { OrderDocument, OrderRecord } from "../../../../functions/domain/order-record.ts";
import { updateOrder } from "../../../../functions/orders/order-updates.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { jpegImage, markerOffset, pngImage } from "../../../support/letter-images.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";
import { callRoute, type RouteCall, routeTestDependencies } from "../../../support/route-calls.ts";

const ORDER_ID = "ord_letter1";
const DOCUMENTS = `/v1/orders/${ORDER_ID}/documents`;
const NOW = "2027-01-10T08:00:00.000Z";
const DEADLINE = "2027-02-09T08:00:00.000Z";

let clock: ReturnType<typeof fixedClock>;
let blobs: MemoryBlobStore;
let deps: AllDependencies;

/** An OV order of tenant-a waiting for its letter, unless `overrides` say otherwise. */
async function seed(overrides: Partial<OrderRecord> = {}): Promise<void> {
  const order = sampleOrder({
    orderId: ORDER_ID,
    status: "PENDING_REVIEW",
    product: "OV",
    organization: { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
    review: { status: "awaiting-document", deadline: DEADLINE },
    ...overrides,
  });
  await deps.store.create(order, { at: order.createdAt, type: "note", message: "seeded" });
}

beforeEach(() => {
  clock = fixedClock(new Date(NOW));
  blobs = createMemoryBlobStore();
  deps = routeTestDependencies(clock, {
    vault: new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32))),
  });
});

function upload(bytes: Uint8Array, contentType: string | undefined, call: RouteCall = {}) {
  return callRoute(deps, "POST", DOCUMENTS, {
    bytes,
    headers: contentType === undefined ? {} : { "Content-Type": contentType },
    ...call,
  });
}

/** What a refusal must leave as it was: the vault, the order and its history. */
async function snapshot() {
  return {
    objects: blobs.keys(),
    order: await deps.store.get(ORDER_ID),
    history: await deps.store.history(ORDER_ID),
  };
}

describe("POST /v1/orders/{id}/documents", () => {
  it("stores a PNG letter, lists it on the order and moves the review on to the operator's decision", async () => {
    // Prepare
    await seed();
    const letter = pngImage({ width: 1240, height: 1754, colourType: 2 });

    // Act
    const answer = await upload(letter, "image/png");

    // Assess
    expect(answer.status).toBe(201);
    const id = String(answer.json.id);
    expect(id).toMatch(/^doc_[0-9a-f]{16}$/);
    expect(answer.json).toEqual({
      id,
      contentType: "image/png",
      size: letter.length,
      width: 1240,
      height: 1754,
      uploadedAt: NOW,
    });
    expect(answer.result.headers.location).toBe(
      `http://127.0.0.1:3000/v1/orders/${ORDER_ID}/documents/${id}`,
    );
    expect(blobs.keys()).toEqual([`documents/${ORDER_ID}/${id}`]);
    expect(blobs.contentType(`documents/${ORDER_ID}/${id}`)).toBe("image/png");
    expect(Buffer.from((await deps.vault.getDocument(ORDER_ID, id)) ?? [])).toEqual(letter);
    const order = await deps.store.get(ORDER_ID);
    expect(order?.documents).toEqual([answer.json]);
    expect(order?.review).toEqual({
      status: "awaiting-decision",
      deadline: DEADLINE,
      awaitingSince: NOW,
    });
    expect((await deps.store.history(ORDER_ID)).at(-1)).toEqual({
      at: NOW,
      type: "document",
      message: `Confirmation letter uploaded (PNG, 1240×1754, ${Math.round(letter.length / 1024)} KB). The review now waits for an operator's decision.`,
      by: { role: "customer", tenantId: "tenant-a" },
    });
  });

  it("stores JPEG bytes sent as image/png as the JPEG they are, and leaves a review already waiting as it is", async () => {
    // Prepare
    await seed({
      review: {
        status: "awaiting-decision",
        deadline: DEADLINE,
        awaitingSince: "2027-01-09T08:00:00.000Z",
      },
    });

    // Act
    const answer = await upload(jpegImage({ width: 800, height: 600, exif: true }), "image/png");

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.json).toMatchObject({ contentType: "image/jpeg", width: 800, height: 600 });
    expect(blobs.contentType(`documents/${ORDER_ID}/${answer.json.id}`)).toBe("image/jpeg");
    const order = await deps.store.get(ORDER_ID);
    expect(order?.review?.awaitingSince).toBe("2027-01-09T08:00:00.000Z");
    expect((await deps.store.history(ORDER_ID)).at(-1)?.message).toMatch(
      /^Confirmation letter uploaded \(JPEG, 800×600, \d+ (bytes|KB)\)\.$/,
    );
  });

  it("keeps every page a customer sends, in the order sent, each under its own id", async () => {
    await seed();

    const first = await upload(pngImage(), "image/png");
    clock.advance(60);
    const second = await upload(jpegImage(), "image/jpeg; charset=binary");

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.json.id).not.toBe(second.json.id);
    const order = await deps.store.get(ORDER_ID);
    expect(order?.documents?.map((document) => document.id)).toEqual([
      first.json.id,
      second.json.id,
    ]);
    expect(blobs.keys()).toHaveLength(2);
  });

  const pdf = Buffer.from("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  const png = pngImage();

  it.each([
    [
      "bytes over 500 KB",
      413,
      "DOCUMENT_TOO_LARGE",
      new Uint8Array(500 * 1024 + 1),
      "image/png",
      /over the limit of 500 KB \(512000 bytes\)/,
    ],
    [
      "a PDF sent as image/png",
      415,
      "DOCUMENT_TYPE_UNSUPPORTED",
      pdf,
      "image/png",
      /looks like a PDF document, not a PNG or JPEG image/,
    ],
    [
      "a text file renamed .png",
      415,
      "DOCUMENT_TYPE_UNSUPPORTED",
      Buffer.from("Our letter\n"),
      "image/png",
      /looks like text/,
    ],
    [
      "a GIF sent as image/jpeg",
      415,
      "DOCUMENT_TYPE_UNSUPPORTED",
      Buffer.from("GIF89a\u0001\u0000\u0001\u0000"),
      "image/jpeg",
      /looks like a GIF image/,
    ],
    [
      "a PNG sent as application/pdf",
      415,
      "DOCUMENT_TYPE_UNSUPPORTED",
      png,
      "application/pdf",
      /^The Content-Type "application\/pdf" is not taken here/,
    ],
    [
      "a PNG without a Content-Type",
      415,
      "DOCUMENT_TYPE_UNSUPPORTED",
      png,
      undefined,
      /^The request has no Content-Type/,
    ],
    ["an empty body", 422, "DOCUMENT_UNREADABLE", new Uint8Array(0), "image/png", /empty/],
    [
      "a PNG cut after its signature",
      422,
      "DOCUMENT_UNREADABLE",
      png.subarray(0, 8),
      "image/png",
      /within its header \(IHDR\)/,
    ],
    [
      "a PNG cut mid-IHDR",
      422,
      "DOCUMENT_UNREADABLE",
      png.subarray(0, 20),
      "image/png",
      /cut short/,
    ],
    [
      "a JPEG with no frame header",
      422,
      "DOCUMENT_UNREADABLE",
      jpegImage().subarray(0, markerOffset(jpegImage(), 0xc0)),
      "image/jpeg",
      /before its frame header \(SOF\)/,
    ],
  ] as const)(
    "refuses %s with %i %s, storing nothing",
    async (_label, status, code, bytes, contentType, message) => {
      // Prepare
      await seed();
      const before = await snapshot();

      // Act
      const answer = await upload(bytes, contentType);

      // Assess
      expect(answer.status).toBe(status);
      expect(answer.json.error.code).toBe(code);
      expect(answer.json.error.message).toMatch(message);
      expect(answer.json.error.details).toMatchObject({
        accepted: ["image/png", "image/jpeg"],
        maxBytes: 512000,
      });
      expect(await snapshot()).toEqual(before);
    },
  );

  it("names what an unsupported upload looks like in the details", async () => {
    await seed();

    const answer = await upload(pdf, "image/jpeg");

    expect(answer.json.error.details.looksLike).toBe("a PDF document");
  });

  it("refuses a DV order's letter with DOCUMENT_NOT_NEEDED, after the letter's own checks", async () => {
    // Prepare
    await seed({ product: "DV", organization: undefined, review: undefined });
    const before = await snapshot();

    // Act
    const valid = await upload(png, "image/png");
    const notAnImage = await upload(pdf, "image/png");

    // Assess
    expect(valid.status).toBe(422);
    expect(valid.json.error.code).toBe("DOCUMENT_NOT_NEEDED");
    expect(valid.json.error.message).toMatch(/DV order: only OV and EV orders/);
    expect(notAnImage.status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it.each(["ISSUED", "FAILED", "CANCELLED", "REVOKED", "EXPIRED"] as const)(
    "refuses a letter for an order that is %s with 409 ORDER_CLOSED",
    async (status) => {
      await seed({ status });
      const before = await snapshot();

      const answer = await upload(png, "image/png");

      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe("ORDER_CLOSED");
      expect(answer.json.error.message).toContain(`is ${status}`);
      expect(await snapshot()).toEqual(before);
    },
  );

  it("answers another tenant, and an order that is not there, 404 as every order route does", async () => {
    await seed();
    const before = await snapshot();

    const otherTenant = await upload(png, "image/png", { tenant: "tenant-b" });
    const missing = await callRoute(deps, "POST", "/v1/orders/ord_nothere/documents", {
      bytes: png,
      headers: { "content-type": "image/png" },
    });

    expect(otherTenant.status).toBe(404);
    expect(otherTenant.json.error).toEqual({
      code: "NOT_FOUND",
      message: `Order ${ORDER_ID} was not found.`,
    });
    expect(missing.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("is for customers: an operator's upload answers 403", async () => {
    await seed();

    const answer = await upload(png, "image/png", { tenant: "ops", role: "operator" });

    expect(answer.status).toBe(403);
    expect(answer.json.error.code).toBe("FORBIDDEN");
  });

  it(`takes ${UPLOADS_PER_HOUR} uploads an hour per order, then 429 with Retry-After until the next hour`, async () => {
    // Prepare
    await seed();

    // Act
    const statuses: number[] = [];
    for (let index = 0; index < UPLOADS_PER_HOUR; index++) {
      statuses.push((await upload(png, "image/png")).status);
    }
    const before = await snapshot();
    const refused = await upload(png, "image/png");
    const afterRefusal = await snapshot();
    clock.advance(3600);
    const nextHour = await upload(png, "image/png");

    // Assess
    expect(statuses).toEqual(new Array(UPLOADS_PER_HOUR).fill(201));
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("RATE_LIMITED");
    expect(refused.json.error.message).toContain(`${UPLOADS_PER_HOUR} uploads this hour`);
    expect(refused.result.headers["retry-after"]).toBe("3600");
    expect(afterRefusal).toEqual(before);
    expect(nextHour.status).toBe(201);
  });

  it(`keeps at most ${DOCUMENTS_PER_ORDER} documents per order (409 DOCUMENT_LIMIT_REACHED)`, async () => {
    const documents: OrderDocument[] = Array.from({ length: DOCUMENTS_PER_ORDER }, (_, index) => ({
      id: `doc_${index.toString(16).padStart(16, "0")}`,
      contentType: "image/png",
      size: 100,
      width: 1,
      height: 1,
      uploadedAt: NOW,
    }));
    await seed({ documents });

    const answer = await upload(png, "image/png");

    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("DOCUMENT_LIMIT_REACHED");
    expect(blobs.keys()).toEqual([]);
  });

  it("answers 409 when the order closes while the letter is stored, and the order lists nothing", async () => {
    // Prepare: the order is cancelled between the checks and the write to the order.
    await seed();
    const store = deps.store;
    deps = {
      ...deps,
      store: {
        ...store,
        async countUse(quota, at) {
          await updateOrder(store, ORDER_ID, () => ({ changes: { status: "CANCELLED" } }));
          return store.countUse(quota, at);
        },
      },
    };

    // Act
    const answer = await upload(png, "image/png");

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("ORDER_CLOSED");
    expect((await store.get(ORDER_ID))?.documents).toBeUndefined();
  });
});

describe("GET /v1/orders/{id}/documents/{docId}", () => {
  async function uploaded(bytes: Uint8Array, contentType: string): Promise<string> {
    await seed();
    const answer = await upload(bytes, contentType);
    expect(answer.status).toBe(201);
    return String(answer.json.id);
  }

  it.each([
    ["the ordering customer", { tenant: "tenant-a", role: "customer" }],
    ["an operator", { tenant: "ops", role: "operator" }],
  ])("gives %s the letter's bytes, inline, with its stored type", async (_label, caller) => {
    const letter = pngImage({ width: 30, height: 40 });
    const id = await uploaded(letter, "image/png");

    const answer = await callRoute(deps, "GET", `${DOCUMENTS}/${id}`, caller);

    expect(answer.status).toBe(200);
    expect(answer.result.isBase64Encoded).toBe(true);
    expect(Buffer.from(answer.result.body, "base64")).toEqual(letter);
    expect(answer.result.headers).toEqual({
      "content-type": "image/png",
      "content-disposition": `inline; filename="${id}.png"`,
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    });
  });

  it("names a JPEG letter .jpg and serves it as image/jpeg", async () => {
    const id = await uploaded(jpegImage(), "image/jpeg");

    const answer = await callRoute(deps, "GET", `${DOCUMENTS}/${id}`);

    expect(answer.result.headers["content-type"]).toBe("image/jpeg");
    expect(answer.result.headers["content-disposition"]).toBe(`inline; filename="${id}.jpg"`);
  });

  it("answers 404 to another tenant, for a document the order does not list, and for an id that is not one", async () => {
    const id = await uploaded(pngImage(), "image/png");

    const otherTenant = await callRoute(deps, "GET", `${DOCUMENTS}/${id}`, { tenant: "tenant-b" });
    const unknown = await callRoute(deps, "GET", `${DOCUMENTS}/doc_ffffffffffffffff`);
    const notAnId = await callRoute(deps, "GET", `${DOCUMENTS}/..%2F..%2Fcertificates`);

    expect(otherTenant.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe(
      `Document doc_ffffffffffffffff of order ${ORDER_ID} was not found.`,
    );
    expect(notAnId.json.error).toEqual({
      code: "NOT_FOUND",
      message: "The document was not found.",
    });
  });

  it("answers 410 DOCUMENT_GONE when the order lists a document the vault no longer keeps", async () => {
    const id = await uploaded(pngImage(), "image/png");
    await blobs.delete(`documents/${ORDER_ID}/${id}`);

    const answer = await callRoute(deps, "GET", `${DOCUMENTS}/${id}`);

    expect(answer.status).toBe(410);
    expect(answer.json.error.code).toBe("DOCUMENT_GONE");
  });
});
