import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { printingOrderEvents } from "../../../../infra/local/order-event-lines.ts";
import { sampleOrder } from "../../../support/order-store-contract.ts";

describe("the local terminal's order lines", () => {
  it("prints one readable line per history event the store records, and nothing else", async () => {
    // Prepare
    const lines: string[] = [];
    const store = printingOrderEvents(createMemoryOrderStore(fixedClock(new Date())), (line) =>
      lines.push(line),
    );
    const at = "2027-01-10T08:00:00.000Z";

    // Act
    const created = await store.create(sampleOrder({ orderId: "ord_lines" }), {
      at,
      type: "status",
      status: "SUBMITTED",
      message: "Order submitted.",
    });
    if (!created.created) throw new Error("not created");
    const quiet = await store.update(created.order, { waitToken: "t" });
    await store.update(
      quiet,
      {},
      { at, type: "note", message: "Check 1: everything is published." },
    );

    // Assess
    expect(lines).toEqual([
      "ord_lines SUBMITTED: Order submitted.",
      "ord_lines: Check 1: everything is published.",
    ]);
  });
});
