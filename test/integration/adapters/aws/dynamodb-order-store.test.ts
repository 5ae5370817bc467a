import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbOrderStore } from "../../../../functions/adapters/aws/dynamodb-order-store.ts";
import { toOrderItem } from "../../../../functions/adapters/aws/order-item.ts";
import { idempotencyKey } from "../../../../functions/adapters/aws/order-table-design.ts";
import { type Clock, fixedClock } from "../../../../functions/domain/clock.ts";
import { IdempotencyKeyInUse } from "../../../../functions/ports/order-store.ts";
import { ensureOrderTable } from "../../../../infra/local/emulator-resources.ts";
import { type LocalEmulators, startLocalEmulators } from "../../../../infra/local/emulators.ts";
import {
  describeOrderStoreContract,
  sampleClaim,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";
import { describeWebhookStoreContract } from "../../../support/webhook-store-contract.ts";

const dataDir = mkdtempSync(join(tmpdir(), "certflow-dynamodb-store-"));
let emulators: LocalEmulators;
let tables = 0;

beforeAll(async () => {
  emulators = await startLocalEmulators({ dataDir, fresh: true });
});

afterAll(async () => {
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every test gets a table of its own, so listings and the renewal query see only its orders. */
async function freshStore(clock: Clock = fixedClock(new Date("2026-11-02T10:00:00.000Z"))) {
  const tableName = `orders-${++tables}`;
  await ensureOrderTable(emulators.dynamoDb.client, tableName);
  return {
    tableName,
    store: createDynamoDbOrderStore({ client: emulators.dynamoDb.client, tableName, clock }),
  };
}

describeOrderStoreContract(
  "DynamoDB store on dynalite",
  async (clock) => (await freshStore(clock)).store,
);

describeWebhookStoreContract("DynamoDB store on dynalite", async () => (await freshStore()).store);

describe("the DynamoDB order store after a crash between its writes", () => {
  const claim = sampleClaim("key-crash", "hash-crash");
  const put = (tableName: string, Item: Record<string, unknown>) =>
    DynamoDBDocumentClient.from(emulators.dynamoDb.client).send(
      new PutCommand({ TableName: tableName, Item }),
    );
  /** The idempotency item a writer left for ord_claimed before it stopped. */
  const leftClaim = (requestHash: string) => ({
    ...idempotencyKey(claim.tenantId, claim.key),
    orderId: "ord_claimed",
    requestHash,
    expiresAt: Math.floor(Date.parse(claim.expiresAt) / 1000),
  });
  /** A submission of `orderId` under the claim, as the same request sent again would make. */
  const submitAgain = (
    store: Awaited<ReturnType<typeof freshStore>>["store"],
    orderId: string,
    message = "Order submitted.",
  ) =>
    store.create(sampleOrder({ orderId }), sampleEvent("2026-11-02T10:00:00.000Z", message), claim);
  const messagesOf = async (store: Awaited<ReturnType<typeof freshStore>>["store"]) =>
    (await store.history("ord_claimed")).map((event) => event.message);

  it("completes the order a claim names when the same request comes again", async () => {
    // Prepare
    const { tableName, store } = await freshStore();
    await put(tableName, leftClaim(claim.requestHash));

    // Act
    const retry = await submitAgain(store, "ord_retry");
    const again = await submitAgain(store, "ord_third", "x");

    // Assess
    expect(retry).toEqual({ created: true, order: sampleOrder({ orderId: "ord_claimed" }) });
    expect(await store.get("ord_claimed")).toEqual(sampleOrder({ orderId: "ord_claimed" }));
    expect(await store.get("ord_retry")).toBeUndefined();
    expect(await messagesOf(store)).toEqual(["Order submitted."]);
    expect(again).toMatchObject({
      created: false,
      sameRequest: true,
      existing: { orderId: "ord_claimed" },
    });
  });

  it("refuses another request on a claim whose order was never written", async () => {
    // Prepare
    const { tableName, store } = await freshStore();
    await put(tableName, leftClaim("hash-of-another-body"));

    // Act
    const refusal = await submitAgain(store, "ord_other", "x").catch((error: unknown) => error);

    // Assess
    expect(refusal).toBeInstanceOf(IdempotencyKeyInUse);
    expect(await store.get("ord_other")).toBeUndefined();
    expect(await store.get("ord_claimed")).toBeUndefined();
  });

  it("writes the missing creation event when the same request comes again", async () => {
    // Prepare
    const { tableName, store } = await freshStore();
    await put(tableName, leftClaim(claim.requestHash));
    await put(tableName, toOrderItem(sampleOrder({ orderId: "ord_claimed" })));
    const historyBefore = await messagesOf(store);

    // Act
    const replay = await submitAgain(store, "ord_retry");

    // Assess
    expect(historyBefore).toEqual([]);
    expect(replay).toMatchObject({
      created: false,
      sameRequest: true,
      existing: { orderId: "ord_claimed" },
    });
    expect(await messagesOf(store)).toEqual(["Order submitted."]);
  });
});
