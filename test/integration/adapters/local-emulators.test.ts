import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbOrderStore } from "../../../functions/adapters/aws/dynamodb-order-store.ts";
import { createS3BlobStore } from "../../../functions/adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../../../functions/adapters/aws/ses-mailer.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { VersionConflict } from "../../../functions/ports/order-store.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../infra/local/emulators.ts";

const dataDir = mkdtempSync(join(tmpdir(), "certflow-emulators-"));
let emulators: LocalEmulators;

function order(
  orderId: string,
  tenantId = "tenant-a",
  createdAt = new Date().toISOString(),
): OrderRecord {
  return {
    orderId,
    tenantId,
    status: "SUBMITTED",
    version: 0,
    product: "DV",
    names: [{ ascii: "shop.example.com", display: "shop.example.com", wildcard: false }],
    method: "dns-txt",
    keySource: { kind: "generated", keyType: "EC-P256" },
    contact: { name: "Ada", email: "ada@example.com" },
    validityDays: 90,
    createdAt,
    updatedAt: createdAt,
    validations: [],
    warnings: [],
  };
}

const event = (message: string) => ({ at: new Date().toISOString(), type: "note", message });

beforeAll(async () => {
  emulators = await startLocalEmulators({ dataDir, fresh: true });
});

afterAll(async () => {
  await emulators?.stop();
});

describe("the DynamoDB order store on dynalite", () => {
  const store = () =>
    createDynamoDbOrderStore({ client: emulators.dynamoDb.client, tableName: emulators.tableName });

  it("creates once, updates conditionally on the version, and keeps the history in order", async () => {
    const created = await store().create(order("ord_a1"), event("submitted"));
    expect(created.created).toBe(true);
    const again = await store()
      .create(order("ord_a1"), event("again"))
      .catch((error: Error) => error.name);
    expect(again).toBe("ConditionalCheckFailedException");
    const stored = await store().get("ord_a1");
    if (stored === undefined) throw new Error("missing");
    const [first, second] = await Promise.allSettled([
      store().update(stored, { status: "PENDING_VALIDATION" }, event("first")),
      store().update(stored, { status: "CANCELLED" }, event("second")),
    ]);
    const outcomes = [first, second].map((result) => result.status).sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    const rejected = [first, second].find(
      (result) => result.status === "rejected",
    ) as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(VersionConflict);
    const after = await store().get("ord_a1");
    expect(after?.version).toBe(1);
    const removed = await store().update(after as OrderRecord, { waitToken: "t" });
    const cleared = await store().update(removed, { waitToken: undefined });
    expect(cleared.waitToken).toBeUndefined();
    expect((await store().get("ord_a1"))?.waitToken).toBeUndefined();
    expect((await store().history("ord_a1")).map((e) => e.message)).toEqual([
      "submitted",
      expect.stringMatching(/first|second/),
    ]);
  });

  it("answers the same order for a replayed idempotency key, and says when the request differs", async () => {
    const claim = {
      tenantId: "tenant-a",
      key: "k-1",
      requestHash: "h1",
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    expect((await store().create(order("ord_i1"), event("x"), claim)).created).toBe(true);
    const replay = await store().create(order("ord_i2"), event("x"), claim);
    expect(replay).toMatchObject({
      created: false,
      sameRequest: true,
      existing: { orderId: "ord_i1" },
    });
    const other = await store().create(order("ord_i3"), event("x"), {
      ...claim,
      requestHash: "h2",
    });
    expect(other).toMatchObject({ created: false, sameRequest: false });
    expect(await store().get("ord_i2")).toBeUndefined();
  });

  it("lists a tenant's orders newest first across pages, filtered by status", async () => {
    const base = Date.parse("2026-01-01T00:00:00Z");
    for (let index = 0; index < 25; index++) {
      await store().create(
        order(`ord_p${index}`, "tenant-p", new Date(base + index * 1000).toISOString()),
        event("x"),
      );
    }
    const first = await store().listByTenant("tenant-p", { limit: 10 });
    expect(first.orders.map((o) => o.orderId).slice(0, 2)).toEqual(["ord_p24", "ord_p23"]);
    const second = await store().listByTenant("tenant-p", { limit: 10, cursor: first.nextCursor });
    const third = await store().listByTenant("tenant-p", { limit: 10, cursor: second.nextCursor });
    expect([...first.orders, ...second.orders, ...third.orders]).toHaveLength(25);
    const toCancel = await store().get("ord_p3");
    await store().update(toCancel as OrderRecord, { status: "CANCELLED" });
    const cancelled = await store().listByTenant("tenant-p", { limit: 10, status: "CANCELLED" });
    expect(cancelled.orders.map((o) => o.orderId)).toEqual(["ord_p3"]);
    expect((await store().listByTenant("tenant-none", { limit: 10 })).orders).toEqual([]);
  });

  it("finds issued orders due for renewal across month buckets, and forgets them when they leave ISSUED", async () => {
    const issue = async (orderId: string, renewAt: string) => {
      await store().create(order(orderId, "tenant-r"), event("x"));
      const created = await store().get(orderId);
      return store().update(created as OrderRecord, {
        status: "ISSUED",
        certificate: {
          serialNumber: "01",
          notBefore: renewAt,
          notAfter: renewAt,
          sha256Fingerprint: "AA",
          renewAt,
        },
      });
    };
    await issue("ord_r1", "2027-01-20T00:00:00.000Z");
    const revoked = await issue("ord_r2", "2027-02-10T00:00:00.000Z");
    await issue("ord_r3", "2027-04-01T00:00:00.000Z");
    const due = await store().dueForRenewal("2027-02-28T00:00:00.000Z", 10);
    expect(due.map((o) => o.orderId).sort()).toEqual(["ord_r1", "ord_r2"]);
    await store().update(revoked, { status: "REVOKED" });
    expect(
      (await store().dueForRenewal("2027-02-28T00:00:00.000Z", 10)).map((o) => o.orderId),
    ).toEqual(["ord_r1"]);
  });
});

describe("the S3 blob store on s3rver", () => {
  it("round-trips 1 MB of random bytes exactly, and answers undefined for a missing key", async () => {
    const blobs = createS3BlobStore({
      client: emulators.s3.client,
      bucket: emulators.bucketName,
      kmsKeyId: "alias/test",
    });
    const body = new Uint8Array(randomBytes(1024 * 1024));
    await blobs.put("test/random.bin", body, "application/octet-stream");
    expect(
      Buffer.compare(Buffer.from((await blobs.get("test/random.bin")) ?? []), Buffer.from(body)),
    ).toBe(0);
    expect(await blobs.get("test/missing.bin")).toBeUndefined();
    await blobs.delete("test/random.bin");
    expect(await blobs.get("test/random.bin")).toBeUndefined();
  });
});

describe("the SES mailer on aws-ses-v2-local", () => {
  it("sends mail the emulator captures", async () => {
    const mailer = createSesMailer({ client: emulators.ses.client, from: "certflow@example.com" });
    await mailer.send({
      to: ["ada@example.com"],
      subject: "Hello Ada",
      text: "Line one\nLine two",
    });
    const store = (await fetch(`${emulators.ses.endpoint}/store`).then((r) => r.json())) as {
      emails: { subject: string; body: { text: string }; destination: { to: string[] } }[];
    };
    const mail = store.emails.find((candidate) => candidate.subject === "Hello Ada");
    expect(mail?.body.text).toContain("Line two");
    expect(mail?.destination.to).toEqual(["ada@example.com"]);
  });
});

describe("a restart on the same data directory", () => {
  it("keeps orders and blobs", async () => {
    const store = createDynamoDbOrderStore({
      client: emulators.dynamoDb.client,
      tableName: emulators.tableName,
    });
    await store.create(order("ord_keep"), event("x"));
    await createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName }).put(
      "keep.txt",
      "kept",
      "text/plain",
    );
    await emulators.stop();
    emulators = await startLocalEmulators({ dataDir });
    const reopened = createDynamoDbOrderStore({
      client: emulators.dynamoDb.client,
      tableName: emulators.tableName,
    });
    expect((await reopened.get("ord_keep"))?.orderId).toBe("ord_keep");
    const kept = await createS3BlobStore({
      client: emulators.s3.client,
      bucket: emulators.bucketName,
    }).get("keep.txt");
    expect(new TextDecoder().decode(kept)).toBe("kept");
  });
});
