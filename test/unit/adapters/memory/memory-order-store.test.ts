import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import {
  describeOrderStoreContract,
  sampleEvent,
  sampleOrder,
} from "../../../support/order-store-contract.ts";
import { describeWebhookStoreContract } from "../../../support/webhook-store-contract.ts";

describeOrderStoreContract("in-memory store", (clock) => createMemoryOrderStore(clock));
describeWebhookStoreContract("in-memory store", () => createMemoryOrderStore());

describe("the in-memory order store", () => {
  it("hands out copies, so changing a returned record does not change the store", async () => {
    const store = createMemoryOrderStore();
    const order = sampleOrder({ orderId: "ord_copy" });
    const result = await store.create(order, sampleEvent(order.createdAt, "submitted"));
    if (!result.created) throw new Error("not created");
    (result.order.warnings as { code: string; message: string }[]).push({
      code: "X",
      message: "changed",
    });
    const read = await store.get("ord_copy");
    (read?.names as unknown as { ascii: string }[])[0] = { ascii: "changed.example" };
    expect(await store.get("ord_copy")).toEqual(order);
  });
});
