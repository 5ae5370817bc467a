import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbOrderStore } from "../../../../functions/adapters/aws/dynamodb-order-store.ts";
import { createS3BlobStore } from "../../../../functions/adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../../../../functions/adapters/aws/ses-mailer.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../../infra/local/emulators.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

interface CapturedMail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

const dataDir = mkdtempSync(join(tmpdir(), "certflow-emulators-"));
let emulators: LocalEmulators;

beforeAll(async () => {
  emulators = await startLocalEmulators({ dataDir, fresh: true });
});

afterAll(async () => {
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const blobStore = (kmsKeyId?: string) =>
  createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName, kmsKeyId });

describe("the S3 blob store on s3rver", () => {
  it("round-trips 1 MB of random bytes byte for byte (no aws-chunked framing)", async () => {
    const body = new Uint8Array(randomBytes(1024 * 1024));
    await blobStore("alias/certflow-vault").put(
      "test/random.bin",
      body,
      "application/octet-stream",
    );
    const read = await blobStore().get("test/random.bin");
    expect(read?.byteLength).toBe(body.byteLength);
    expect(Buffer.compare(Buffer.from(read ?? []), Buffer.from(body))).toBe(0);
  });

  it("stores text as UTF-8 with its content type", async () => {
    await blobStore().put(
      "test/note.pem",
      "-----BEGIN CERTIFICATE-----\nÖ\n",
      "application/x-pem-file",
    );
    const response = await fetch(`${emulators.s3.endpoint}/${emulators.bucketName}/test/note.pem`);
    expect(response.headers.get("content-type")).toBe("application/x-pem-file");
    expect(await response.text()).toBe("-----BEGIN CERTIFICATE-----\nÖ\n");
  });

  it("answers undefined for a missing key, also after a delete", async () => {
    expect(await blobStore().get("test/never-written.bin")).toBeUndefined();
    await blobStore().put("test/short-lived.txt", "bye", "text/plain");
    await blobStore().delete("test/short-lived.txt");
    expect(await blobStore().get("test/short-lived.txt")).toBeUndefined();
  });
});

describe("the SES mailer on aws-ses-v2-local", () => {
  it("sends mail the emulator captures with sender, recipients, subject and bodies", async () => {
    const mailer = createSesMailer({ client: emulators.ses.client, from: "certflow@example.com" });
    await mailer.send({
      to: ["ada@example.com", "bob@example.com"],
      subject: "Publish the TXT record for shop.example.com — ✓",
      text: "Line one\nLine two: _acme-challenge.shop.example.com",
      html: "<p>Line one</p>",
    });
    const store = (await fetch(emulators.ses.storeUrl).then((response) => response.json())) as {
      emails: CapturedMail[];
    };
    const mail = store.emails.find((candidate) => candidate.subject.startsWith("Publish the TXT"));
    expect(mail).toMatchObject({
      from: "certflow@example.com",
      destination: { to: ["ada@example.com", "bob@example.com"] },
      subject: "Publish the TXT record for shop.example.com — ✓",
      body: {
        text: "Line one\nLine two: _acme-challenge.shop.example.com",
        html: "<p>Line one</p>",
      },
    });
  });
});

describe("a restart of the emulators on the same data directory", () => {
  it("keeps the table, its orders and the bucket's objects", async () => {
    const store = () =>
      createDynamoDbOrderStore({
        client: emulators.dynamoDb.client,
        tableName: emulators.tableName,
      });
    const order = sampleOrder({ orderId: "ord_kept" });
    await store().create(order, sampleEvent(order.createdAt, "Order submitted."));
    await blobStore().put(
      "kept/blob.bin",
      new Uint8Array([0, 1, 2, 253, 254, 255]),
      "application/octet-stream",
    );

    await emulators.stop();
    await emulators.stop();
    emulators = await startLocalEmulators({ dataDir });

    expect(await store().get("ord_kept")).toEqual(order);
    expect((await store().history("ord_kept")).map((event) => event.message)).toEqual([
      "Order submitted.",
    ]);
    expect(await blobStore().get("kept/blob.bin")).toEqual(
      new Uint8Array([0, 1, 2, 253, 254, 255]),
    );
  });

  it("starts empty again when asked for a fresh start", async () => {
    await emulators.stop();
    emulators = await startLocalEmulators({ dataDir, fresh: true });
    const store = createDynamoDbOrderStore({
      client: emulators.dynamoDb.client,
      tableName: emulators.tableName,
    });
    expect(await store.get("ord_kept")).toBeUndefined();
    expect(await blobStore().get("kept/blob.bin")).toBeUndefined();
  });
});
