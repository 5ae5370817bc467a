import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWAL_NOW,
  seed,
} from "../../../support/renewal-fixtures.ts";

/** An issued order of tenant-a and two renewals of it, one issued, one running. */
async function storeWithRenewals() {
  const store = createMemoryOrderStore(fixedClock(RENEWAL_NOW));
  await seed(store, issuedRecord("ord_parent1", { createdAt: "2027-02-01T00:00:00.000Z" }));
  await seed(
    store,
    issuedRecord("ord_renewal1", {
      renewalOf: "ord_parent1",
      createdAt: "2027-04-25T00:00:00.000Z",
    }),
  );
  await seed(
    store,
    issuedRecord("ord_renewal2", {
      renewalOf: "ord_parent1",
      status: "PENDING_VALIDATION",
      certificate: undefined,
      createdAt: "2027-04-26T00:00:00.000Z",
    }),
  );
  return store;
}

describe("the memory order store and renewal orders", () => {
  it("lists no renewal order among the tenant's orders", async () => {
    // Prepare
    const store = await storeWithRenewals();

    // Act
    const page = await store.listByTenant("tenant-a", { limit: 10 });

    // Assess
    expect(page.orders.map((order) => order.orderId)).toEqual(["ord_parent1"]);
    expect(page.nextCursor).toBeUndefined();
  });

  it("lists no renewal order under a status filter, nor on later pages", async () => {
    // Prepare
    const store = await storeWithRenewals();

    // Act
    const issued = await store.listByTenant("tenant-a", { status: "ISSUED", limit: 1 });
    const pending = await store.listByTenant("tenant-a", {
      status: "PENDING_VALIDATION",
      limit: 10,
    });

    // Assess
    expect(issued.orders.map((order) => order.orderId)).toEqual(["ord_parent1"]);
    expect(issued.nextCursor).toBeUndefined();
    expect(pending.orders).toEqual([]);
  });

  it("finds the renewal's order due, never the renewal", async () => {
    // Prepare
    const store = await storeWithRenewals();

    // Act
    const due = await store.dueForRenewal(FIRST_CERTIFICATE.notAfter, 10);

    // Assess
    expect(due.map((order) => order.orderId)).toEqual(["ord_parent1"]);
  });

  it("still reads a renewal order by its id", async () => {
    // Prepare
    const store = await storeWithRenewals();

    // Act
    const renewal = await store.get("ord_renewal1");

    // Assess
    expect(renewal?.renewalOf).toBe("ord_parent1");
  });
});
