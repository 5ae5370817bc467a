import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createDynamoDbOrderStore } from "../../../../functions/adapters/aws/dynamodb-order-store.ts";
import { createS3BlobStore } from "../../../../functions/adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../../../../functions/adapters/aws/ses-mailer.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../../infra/local/emulators.ts";
import { sampleEvent, sampleOrder } from "../../../support/order-store-contract.ts";

const dataDir = mkdtempSync(join(tmpdir(), "certflow-emulator-thread-"));
const started: LocalEmulators[] = [];

afterAll(async () => {
  for (const emulators of started) await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const storeOf = (emulators: LocalEmulators) =>
  createDynamoDbOrderStore({ client: emulators.dynamoDb.client, tableName: emulators.tableName });
const blobsOf = (emulators: LocalEmulators) =>
  createS3BlobStore({ client: emulators.s3.client, bucket: emulators.bucketName });

it("serves DynamoDB, S3 and SES from a thread of their own, and lets go of the data on stop", async () => {
  // Prepare
  const listening = () =>
    process.getActiveResourcesInfo().filter((resource) => resource === "TCPServerWrap").length;
  const listeningBefore = listening();
  const first = await startLocalEmulators({ dataDir, fresh: true, onThread: true });
  started.push(first);
  const listeningInThisThread = listening() - listeningBefore;
  const order = sampleOrder({ orderId: "ord_threaded" });
  await storeOf(first).create(order, sampleEvent(order.createdAt, "Order submitted."));
  await blobsOf(first).put("kept/threaded.txt", "on a thread", "text/plain");
  await createSesMailer({ client: first.ses.client, from: "certflow@example.com" }).send({
    to: ["ada@example.com"],
    subject: "From the thread",
    text: "hello",
  });
  const mails = (await fetch(first.ses.storeUrl).then((response) => response.json())) as {
    emails: { subject: string }[];
  };

  // Act: stopped (twice is fine), then started again on the same data, in this thread.
  await first.stop();
  await first.stop();
  const second = await startLocalEmulators({ dataDir });
  started.push(second);

  // Assess
  expect(listeningInThisThread).toBe(0);
  expect(mails.emails.map((mail) => mail.subject)).toEqual(["From the thread"]);
  expect(await storeOf(second).get("ord_threaded")).toEqual(order);
  expect(new TextDecoder().decode(await blobsOf(second).get("kept/threaded.txt"))).toBe(
    "on a thread",
  );
});

it("says why when the emulators' thread stops on its own, e.g. with its heap full", async () => {
  // Prepare: a heap far smaller than the service's, filled by the SES emulator's mails.
  const reasons: string[] = [];
  const small = await startLocalEmulators({
    dataDir: join(dataDir, "small-heap"),
    fresh: true,
    onThread: true,
    heapMib: 64,
    onLost: (reason) => reasons.push(reason),
  });
  started.push(small);
  const mailer = createSesMailer({ client: small.ses.client, from: "certflow@example.com" });
  const large = "x".repeat(4 * 1024 * 1024);

  // Act
  let refused: unknown;
  for (let index = 0; index < 100 && refused === undefined; index++) {
    await mailer
      .send({ to: ["ada@example.com"], subject: `large ${index}`, text: large })
      .catch((error: unknown) => {
        refused = error;
      });
  }
  await expect.poll(() => reasons.length).toBe(1);

  // Assess: the sends fail, the host is told once, and stopping afterwards still settles.
  expect(refused).toBeInstanceOf(Error);
  expect(reasons[0]).toMatch(/^the emulators' thread stopped \(ERR_WORKER_OUT_OF_MEMORY: /);
  await expect(small.stop()).resolves.toBeUndefined();
  expect(reasons).toHaveLength(1);
}, 60_000);
