import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { OrderRecord } from "../../../functions/domain/order-record.ts";
import { noteEvent, updateOrder } from "../../../functions/orders/order-updates.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import { sampleEvent, sampleOrder } from "../../support/order-store-contract.ts";

const AT = new Date("2026-03-01T10:00:00Z");

/** The memory store, counting its reads. */
async function countingStore() {
  const store = createMemoryOrderStore(fixedClock(AT));
  await store.create(sampleOrder({ orderId: "ord_updates1" }), sampleEvent(AT, "Order received."));
  let reads = 0;
  const counting: OrderStore = {
    ...store,
    get: (orderId) => {
      reads += 1;
      return store.get(orderId);
    },
  };
  const read = async (): Promise<OrderRecord> => {
    const order = await store.get("ord_updates1");
    if (order === undefined) throw new Error("the order is gone");
    return order;
  };
  return { store: counting, read, reads: () => reads };
}

describe("updateOrder", () => {
  it("decides on the order a caller has just read, without reading it again", async () => {
    const world = await countingStore();
    const order = await world.read();

    const updated = await updateOrder(world.store, order, () => ({
      changes: { waitToken: "token-1" },
    }));

    expect(world.reads()).toBe(0);
    expect(updated).toMatchObject({ waitToken: "token-1", version: order.version + 1 });
  });

  it("decides again on the stored order when it was written since the caller read it", async () => {
    const world = await countingStore();
    const stale = await world.read();
    await world.store.update(stale, { waitToken: "written-meanwhile" });
    const seen: (string | undefined)[] = [];

    const updated = await updateOrder(world.store, stale, (current) => {
      seen.push(current.waitToken);
      return { changes: {}, event: noteEvent(AT, "note", `token was ${current.waitToken}`) };
    });

    expect(seen).toEqual([undefined, "written-meanwhile"]);
    expect(world.reads()).toBe(1);
    expect(updated.version).toBe(stale.version + 2);
    const messages = (await world.store.history(stale.orderId)).map((event) => event.message);
    expect(messages).toContain("token was written-meanwhile");
    expect(messages).not.toContain("token was undefined");
  });

  it("reads the order first when given its id", async () => {
    const world = await countingStore();

    await updateOrder(world.store, "ord_updates1", () => ({ changes: { waitToken: "t" } }));

    expect(world.reads()).toBe(1);
  });
});
