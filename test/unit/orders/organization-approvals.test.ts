import { describe, expect, it } from "vitest";
import { createMemoryOrderStore } from "../../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../../functions/domain/clock.ts";
import type { EvDetails, Organization } from "../../../functions/domain/order-record.ts";
import {
  initialReview,
  organizationKey,
  rememberApprovedOrganization,
} from "../../../functions/orders/organization-approvals.ts";
import type { OrderStore } from "../../../functions/ports/order-store.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const APPROVED_AT = new Date("2027-01-10T08:00:00.000Z");
const REUSABLE_UNTIL = "2028-02-12T08:00:00.000Z";
const DAY = 86_400;
const organization: Organization = {
  name: "Example GmbH",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
};
const ev: EvDetails = {
  jurisdictionCountry: "DE",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};

/** A store that remembers tenant-a's approval of `approved` (order ord_first1) at APPROVED_AT. */
async function approvedEarlier(approved: { organization: Organization; ev?: EvDetails }) {
  const clock = fixedClock(APPROVED_AT);
  const store = createMemoryOrderStore(clock);
  await rememberApprovedOrganization(
    store,
    sampleOrder({ orderId: "ord_first1", product: approved.ev ? "EV" : "OV", ...approved }),
    APPROVED_AT,
  );
  const review = (order: { tenantId?: string; organization?: Organization; ev?: EvDetails }) => {
    const now = clock.now();
    const deadline = new Date(now.getTime() + 7 * DAY * 1000);
    return initialReview(store, { tenantId: "tenant-a", ...order }, deadline, now);
  };
  return { clock, store, review };
}

describe("initialReview", () => {
  it("starts approved, naming the earlier order and the 398 days, for the same organization of the same tenant", async () => {
    // Prepare
    const world = await approvedEarlier({ organization });
    world.clock.advance(30 * DAY);
    const now = world.clock.now().toISOString();

    // Act
    const review = await world.review({ organization });

    // Assess
    expect(review).toEqual({
      status: "approved",
      deadline: "2027-02-16T08:00:00.000Z",
      decidedAt: now,
      reusedFrom: "ord_first1",
      reason: `The same organization was approved on ${APPROVED_AT.toISOString()} (order ord_first1); Baseline Requirements allow reusing it for 398 days, until ${REUSABLE_UNTIL}.`,
    });
  });

  it("reuses an approval of the organization written with other case and spacing", async () => {
    // Prepare
    const world = await approvedEarlier({ organization, ev });

    // Act
    const review = await world.review({
      organization: { ...organization, name: " example  GMBH " },
      ev: { ...ev, registrationNumber: "hrb 12345 b" },
    });

    // Assess
    expect(review).toMatchObject({ status: "approved", reusedFrom: "ord_first1" });
  });

  it("reuses an approval until the last moment before its 398 days are over", async () => {
    // Prepare
    const world = await approvedEarlier({ organization });
    world.clock.set(new Date(Date.parse(REUSABLE_UNTIL) - 1000));

    // Act
    const review = await world.review({ organization });

    // Assess
    expect(review.status).toBe("approved");
  });

  it.each([
    ["another tenant's order", { tenantId: "tenant-b", organization }, 0],
    ["another organization", { organization: { ...organization, name: "Example AG" } }, 0],
    ["the organization with EV details added", { organization, ev }, 0],
    ["an approval 398 days old", { organization }, 398 * DAY],
    ["an order without organization", {}, 0],
  ])("waits for the letter for %s", async (_case, order, after) => {
    // Prepare
    const world = await approvedEarlier({ organization });
    world.clock.advance(after);
    const deadline = new Date(world.clock.now().getTime() + 7 * DAY * 1000).toISOString();

    // Act
    const review = await world.review(order);

    // Assess
    expect(review).toEqual({ status: "awaiting-document", deadline });
  });

  it("does not reuse an approval whose 398 days end before the certificate may be issued", async () => {
    // Prepare: the approval ends in an hour; the order may be issued a day and an hour from now.
    const { clock, store } = await approvedEarlier({ organization });
    clock.set(new Date(Date.parse(REUSABLE_UNTIL) - 3_600_000));
    const now = clock.now();
    const deadline = new Date(now.getTime() + 7 * DAY * 1000);

    // Act
    const soon = await initialReview(store, { tenantId: "tenant-a", organization }, deadline, now);
    const late = await initialReview(
      store,
      { tenantId: "tenant-a", organization },
      deadline,
      now,
      new Date(now.getTime() + (DAY + 3600) * 1000),
    );

    // Assess
    expect(soon.status).toBe("approved");
    expect(late.status).toBe("awaiting-document");
  });

  it("waits for the letter when nothing was approved", async () => {
    // Prepare
    const store = createMemoryOrderStore(fixedClock(APPROVED_AT));

    // Act
    const review = await initialReview(
      store,
      { tenantId: "tenant-a", organization, ev },
      new Date("2027-01-17T08:00:00.000Z"),
      APPROVED_AT,
    );

    // Assess
    expect(review).toEqual({ status: "awaiting-document", deadline: "2027-01-17T08:00:00.000Z" });
  });
});

describe("rememberApprovedOrganization", () => {
  it("records the order's organization and EV details for its tenant, reusable for 398 days", async () => {
    // Prepare
    const recorded: unknown[] = [];
    const store = {
      async recordApprovedOrganization(...args: unknown[]) {
        recorded.push(args);
      },
    } as unknown as OrderStore;

    // Act
    await rememberApprovedOrganization(
      store,
      sampleOrder({ orderId: "ord_first1", tenantId: "tenant-b", organization, ev }),
      APPROVED_AT,
    );

    // Assess
    expect(recorded).toEqual([
      [
        "tenant-b",
        organizationKey(organization, ev),
        {
          orderId: "ord_first1",
          approvedAt: APPROVED_AT.toISOString(),
          reusableUntil: REUSABLE_UNTIL,
        },
      ],
    ]);
    expect(organizationKey(organization, ev)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("records nothing for an order without organization", async () => {
    // Prepare
    const recorded: unknown[] = [];
    const store = {
      async recordApprovedOrganization(...args: unknown[]) {
        recorded.push(args);
      },
    } as unknown as OrderStore;

    // Act
    await rememberApprovedOrganization(store, sampleOrder({ orderId: "ord_dv1" }), APPROVED_AT);

    // Assess
    expect(recorded).toEqual([]);
  });

  it("lets a later approval of the same organization extend its reuse", async () => {
    // Prepare
    const world = await approvedEarlier({ organization });
    const later = new Date(APPROVED_AT.getTime() + 300 * DAY * 1000);
    await rememberApprovedOrganization(
      world.store,
      sampleOrder({ orderId: "ord_second1", product: "OV", organization }),
      later,
    );
    world.clock.set(new Date(Date.parse(REUSABLE_UNTIL) + 1000));

    // Act
    const review = await world.review({ organization });

    // Assess
    expect(review).toMatchObject({ status: "approved", reusedFrom: "ord_second1" });
  });
});
