import { describe, expect, it } from "vitest";
import { renewalIndexKeys, toOrderItem } from "../../../../functions/adapters/aws/order-item.ts";
import {
  RENEWAL_SHARDS,
  renewalPartition,
  renewalShard,
} from "../../../../functions/adapters/aws/order-table-design.ts";
import { ORDER_STATUSES } from "../../../../functions/domain/order-status.ts";
import { FIRST_CERTIFICATE, issuedRecord } from "../../../support/renewal-fixtures.ts";

const ORDER = "ord_indexed1";
const shardOf = (orderId: string) => renewalShard(orderId);

describe("renewalIndexKeys", () => {
  it("keys an issued order that renews itself at its renewal time, in its shard", () => {
    // Act
    const keys = renewalIndexKeys(issuedRecord(ORDER));

    // Assess
    expect(keys).toEqual({
      GSI2PK: renewalPartition(FIRST_CERTIFICATE.renewAt, shardOf(ORDER)),
      GSI2SK: `${FIRST_CERTIFICATE.renewAt}#${ORDER}`,
    });
    expect(keys?.GSI2PK).toBe(`RENEWAL#2027-04#${String(shardOf(ORDER)).padStart(2, "0")}`);
  });

  it("keys an order that says autoRenew true as one that says nothing", () => {
    // Act
    const keys = renewalIndexKeys(issuedRecord(ORDER, { autoRenew: true }));

    // Assess
    expect(keys).toEqual(renewalIndexKeys(issuedRecord(ORDER)));
  });

  it("keys an order that does not renew itself at its first expiry notice (30 days before the end)", () => {
    // Act
    const keys = renewalIndexKeys(issuedRecord(ORDER, { autoRenew: false }));

    // Assess
    const notice = "2027-04-20T00:00:00.000Z";
    expect(Date.parse(FIRST_CERTIFICATE.notAfter) - Date.parse(notice)).toBe(30 * 86_400_000);
    expect(keys).toEqual({
      GSI2PK: renewalPartition(notice, shardOf(ORDER)),
      GSI2SK: `${notice}#${ORDER}`,
    });
  });

  it("keys an order whose notices were all sent at the end of its certificate", () => {
    // Act
    const keys = renewalIndexKeys(
      issuedRecord(ORDER, { autoRenew: false, renewal: { expiryNotices: [30, 7, 1] } }),
    );

    // Assess
    expect(keys?.GSI2SK).toBe(`${FIRST_CERTIFICATE.notAfter}#${ORDER}`);
  });

  it("leaves renewal orders out: the order renews, never its renewal", () => {
    // Act
    const keys = renewalIndexKeys(issuedRecord("ord_arenewal", { renewalOf: ORDER }));

    // Assess
    expect(keys).toBeUndefined();
  });

  it.each(ORDER_STATUSES.filter((status) => status !== "ISSUED"))(
    "leaves an order that is %s out",
    (status) => {
      // Act
      const keys = renewalIndexKeys(issuedRecord(ORDER, { status }));

      // Assess
      expect(keys).toBeUndefined();
    },
  );

  it("leaves an issued order without a certificate out", () => {
    // Act
    const keys = renewalIndexKeys(issuedRecord(ORDER, { certificate: undefined }));

    // Assess
    expect(keys).toBeUndefined();
  });

  it("spreads orders over the month's shards, each order always in the same one", () => {
    // Prepare
    const ids = Array.from({ length: 200 }, (_, index) => `ord_shard${index}`);

    // Act
    const shards = ids.map((orderId) => renewalShard(orderId));

    // Assess
    expect(shards.every((shard) => Number.isInteger(shard) && shard >= 0)).toBe(true);
    expect(shards.every((shard) => shard < RENEWAL_SHARDS)).toBe(true);
    expect(new Set(shards).size).toBe(RENEWAL_SHARDS);
    expect(ids.map((orderId) => renewalShard(orderId))).toEqual(shards);
  });
});

describe("toOrderItem of renewals", () => {
  it("lists an order in its tenant's listing and the renewal index", () => {
    // Act
    const item = toOrderItem(issuedRecord(ORDER));

    // Assess
    expect(item).toMatchObject({
      PK: `ORDER#${ORDER}`,
      SK: "ORDER",
      GSI1PK: "TENANT#tenant-a",
      GSI1SK: `${issuedRecord(ORDER).createdAt}#${ORDER}`,
      ...renewalIndexKeys(issuedRecord(ORDER)),
    });
  });

  it("keeps a renewal order out of its tenant's listing and out of the renewal index", () => {
    // Act
    const item = toOrderItem(issuedRecord("ord_arenewal", { renewalOf: ORDER }));

    // Assess
    expect(item).toMatchObject({ PK: "ORDER#ord_arenewal", SK: "ORDER", renewalOf: ORDER });
    expect(item).not.toHaveProperty("GSI1PK");
    expect(item).not.toHaveProperty("GSI1SK");
    expect(item).not.toHaveProperty("GSI2PK");
    expect(item).not.toHaveProperty("GSI2SK");
  });
});
