import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderRecord } from "../../functions/domain/order-record.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { jpegImage, pngImage } from "../support/letter-images.ts";
import { ApiClient } from "./support/api-client.ts";

// The letter routes through the local host's HTTP server, its S3 and DynamoDB emulators. The OV
// order is written straight into the host's order store, as submission writes it (waiting for
// its review's letter), so these cases need no workflow; organization-review.test.ts follows a
// submitted OV order with its letter through the review.

const TOKENS = {
  customer: "letter-customer-token",
  other: "letter-other-token",
  operator: "letter-operator-token",
};
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-letter-"));
const settings = readLocalSettings({
  PORT: "0",
  CERTFLOW_DATA_DIR: join(work, "data"),
  CERTFLOW_API_TOKENS: `${TOKENS.customer}:tenant-a:customer,${TOKENS.other}:tenant-b:customer,${TOKENS.operator}:ops:operator`,
});
const published: DcvChecker = { check: async () => ({ ok: true }) };

let host: LocalHost;
let ovOrderId: string;
let dvOrderId: string;

async function seedOvOrder(orderId: string): Promise<void> {
  const now = new Date().toISOString();
  const order: OrderRecord = {
    orderId,
    tenantId: "tenant-a",
    status: "PENDING_REVIEW",
    version: 0,
    product: "OV",
    names: [{ ascii: "letter.certflow.test", display: "letter.certflow.test", wildcard: false }],
    method: "dns-txt",
    keySource: { kind: "generated", keyType: "EC-P256" },
    contact: { name: "Ada Lovelace", email: "ada@certflow.test" },
    organization: {
      name: "Certflow Test GmbH",
      locality: "Berlin",
      state: "Berlin",
      country: "DE",
    },
    review: { status: "awaiting-document", deadline: "2099-01-01T00:00:00.000Z" },
    validityDays: 200,
    createdAt: now,
    updatedAt: now,
    validations: [],
    warnings: [],
  };
  await host.store.create(order, {
    at: now,
    type: "status",
    status: "SUBMITTED",
    message: "Seeded.",
  });
}

/** Every object under the vault's documents/ folder. */
async function storedDocuments(): Promise<string[]> {
  const listed = await host.emulators.s3.client.send(
    new ListObjectsV2Command({ Bucket: host.emulators.bucketName, Prefix: "documents/" }),
  );
  return (listed.Contents ?? []).map((object) => String(object.Key)).sort();
}

async function upload(
  orderId: string,
  body: Uint8Array,
  contentType: string | undefined,
  token = TOKENS.customer,
) {
  const response = await fetch(`${host.url}/v1/orders/${orderId}/documents`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(contentType === undefined ? {} : { "content-type": contentType }),
    },
    body: new Uint8Array(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as any,
  };
}

async function download(location: string, token = TOKENS.customer) {
  const response = await fetch(location, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

beforeAll(async () => {
  host = await startLocalHost(settings, { fresh: true, dcv: published });
  ovOrderId = "ord_e2eletter0000000001";
  await seedOvOrder(ovOrderId);
  const submitted = await new ApiClient(host.url, TOKENS.customer).request("POST", "/v1/orders", {
    body: {
      domains: ["dv-letter.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada Lovelace", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status).toBe(202);
  dvOrderId = String(submitted.json.id);
});

afterAll(async () => {
  await host?.stop();
});

describe("the confirmation letter on the local host", () => {
  it("refuses what is not a letter, or not wanted, and stores nothing", async () => {
    // Prepare
    const before = { objects: await storedDocuments(), order: await host.store.get(ovOrderId) };
    const png = pngImage({ width: 40, height: 30 });

    // Act
    const answers = {
      tooLarge: await upload(ovOrderId, new Uint8Array(600 * 1024), "image/png"),
      pdf: await upload(ovOrderId, Buffer.from("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n"), "image/png"),
      gifAsJpeg: await upload(
        ovOrderId,
        Buffer.from("GIF89a\u0001\u0000\u0001\u0000"),
        "image/jpeg",
      ),
      wrongType: await upload(ovOrderId, png, "application/octet-stream"),
      truncated: await upload(ovOrderId, png.subarray(0, 20), "image/png"),
      dvOrder: await upload(dvOrderId, png, "image/png"),
      otherTenant: await upload(ovOrderId, png, "image/png", TOKENS.other),
      operator: await upload(ovOrderId, png, "image/png", TOKENS.operator),
    };

    // Assess
    const seen = Object.fromEntries(
      Object.entries(answers).map(([what, answer]) => [
        what,
        [answer.status, answer.json.error?.code],
      ]),
    );
    expect(seen).toEqual({
      tooLarge: [413, "DOCUMENT_TOO_LARGE"],
      pdf: [415, "DOCUMENT_TYPE_UNSUPPORTED"],
      gifAsJpeg: [415, "DOCUMENT_TYPE_UNSUPPORTED"],
      wrongType: [415, "DOCUMENT_TYPE_UNSUPPORTED"],
      truncated: [422, "DOCUMENT_UNREADABLE"],
      dvOrder: [422, "DOCUMENT_NOT_NEEDED"],
      otherTenant: [404, "NOT_FOUND"],
      operator: [403, "FORBIDDEN"],
    });
    expect(answers.pdf.json.error.details.looksLike).toBe("a PDF document");
    expect(answers.tooLarge.json.error.message).toContain("500 KB");
    expect(await storedDocuments()).toEqual(before.objects);
    const after = await host.store.get(ovOrderId);
    expect(after?.version).toBe(before.order?.version);
    expect(after?.documents).toBeUndefined();
    expect((await host.store.get(dvOrderId))?.documents).toBeUndefined();
  });

  it("refuses a letter over the limit from its Content-Length, without asking a client that expects 100 Continue for the body", async () => {
    const url = new URL(`${host.url}/v1/orders/${ovOrderId}/documents`);

    const answer = await new Promise<{ status: number; continued: boolean; body: string }>(
      (resolve, reject) => {
        let continued = false;
        const request = httpRequest(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${TOKENS.customer}`,
            "content-type": "image/png",
            "content-length": String(600 * 1024),
            expect: "100-continue",
          },
        });
        request.on("continue", () => {
          continued = true;
          request.end(Buffer.alloc(600 * 1024));
        });
        request.on("response", (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, continued, body }));
        });
        request.on("error", reject);
        request.flushHeaders();
      },
    );

    expect(answer.status).toBe(413);
    expect(answer.continued).toBe(false);
    expect(JSON.parse(answer.body).error.code).toBe("DOCUMENT_TOO_LARGE");
  });

  it("stores a PNG sent with curl, moves the review on, and gives it back to the owner and operators only", async () => {
    // Prepare: the README's command.
    const letter = pngImage({ width: 1240, height: 1754, colourType: 2 });
    const file = join(work, "letter.png");
    writeFileSync(file, letter);

    // Act: asynchronously, since the service answers in this process.
    const { stdout: output } = await promisify(execFile)(
      "curl",
      [
        "--silent",
        "--show-error",
        "--include",
        "--data-binary",
        `@${file}`,
        "-H",
        "Content-Type: image/png",
        "-H",
        `Authorization: Bearer ${TOKENS.customer}`,
        `${host.url}/v1/orders/${ovOrderId}/documents`,
      ],
      { encoding: "utf8" },
    );

    // Assess
    const [head = "", body = ""] = output.split(/\r\n\r\n(?=\{)/);
    expect(head).toMatch(/^HTTP\/1\.1 201 /m);
    const created = JSON.parse(body);
    expect(created).toMatchObject({
      contentType: "image/png",
      size: letter.length,
      width: 1240,
      height: 1754,
    });
    // The Location names the service's public URL; with PORT=0 in this process that is port 0.
    const path = new URL(/^location: (\S+)$/im.exec(head)?.[1] ?? "http://x/").pathname;
    expect(path).toBe(`/v1/orders/${ovOrderId}/documents/${created.id}`);
    const location = `${host.url}${path}`;
    expect(await storedDocuments()).toEqual([`documents/${ovOrderId}/${created.id}`]);
    const order = await host.store.get(ovOrderId);
    expect(order?.documents).toEqual([created]);
    expect(order?.review?.status).toBe("awaiting-decision");
    const history = await new ApiClient(host.url, TOKENS.customer).request(
      "GET",
      `/v1/orders/${ovOrderId}/history`,
    );
    expect(history.json.events.at(-1)).toMatchObject({
      type: "document",
      message: expect.stringMatching(/^Confirmation letter uploaded \(PNG, 1240×1754, \d+ KB\)\./),
    });

    const owner = await download(location);
    const operator = await download(location, TOKENS.operator);
    const other = await download(location, TOKENS.other);
    expect(owner.status).toBe(200);
    expect(owner.bytes).toEqual(letter);
    expect(owner.headers.get("content-type")).toBe("image/png");
    expect(owner.headers.get("content-disposition")).toBe(`inline; filename="${created.id}.png"`);
    expect(owner.headers.get("x-content-type-options")).toBe("nosniff");
    expect(operator.status).toBe(200);
    expect(operator.bytes).toEqual(letter);
    expect(other.status).toBe(404);
  });

  it("stores JPEG bytes declared as image/png as image/jpeg, byte for byte", async () => {
    const letter = jpegImage({ width: 800, height: 1131, components: 3, exif: true });

    const answer = await upload(ovOrderId, letter, "image/png");
    const path = new URL(answer.headers.get("location") ?? "http://x/").pathname;
    const stored = await download(`${host.url}${path}`);

    expect(answer.status).toBe(201);
    expect(answer.json.contentType).toBe("image/jpeg");
    expect(stored.headers.get("content-type")).toBe("image/jpeg");
    expect(stored.bytes).toEqual(letter);
    expect((await host.store.get(ovOrderId))?.documents).toHaveLength(2);
  });
});
