import { describe, expect, it } from "vitest";
import {
  decodeListCursor,
  encodeListCursor,
  InvalidListCursor,
} from "../../../../functions/adapters/aws/order-list-cursor.ts";
import {
  createOrderTableInput,
  eventSortKey,
  idempotencyKey,
  orderKey,
  renewalMonths,
  renewalPartition,
  TTL_ATTRIBUTE,
} from "../../../../functions/adapters/aws/order-table-design.ts";

describe("the order table design", () => {
  it("builds the item keys", () => {
    expect(orderKey("ord_1")).toEqual({ PK: "ORDER#ord_1", SK: "ORDER" });
    expect(idempotencyKey("t1", "k-1")).toEqual({ PK: "IDEMPOTENCY#t1#k-1", SK: "IDEMPOTENCY" });
    expect(eventSortKey("2026-11-02T10:00:00.000Z", 12)).toBe(
      "EVENT#2026-11-02T10:00:00.000Z#000012",
    );
    expect(renewalPartition("2027-02-10T00:00:00.000Z", 7)).toBe("RENEWAL#2027-02#07");
    expect(TTL_ATTRIBUTE).toBe("expiresAt");
  });

  it("orders events by time, then by sequence", () => {
    const keys = [
      eventSortKey("2026-11-02T10:00:01.000Z", 1),
      eventSortKey("2026-11-02T10:00:00.000Z", 10),
      eventSortKey("2026-11-02T10:00:00.000Z", 9),
    ];
    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
  });

  it.each([
    ["2027-02-28T12:00:00.000Z", 13, "2026-01", "2027-02", 14],
    ["2027-01-01T00:00:00.000Z", 1, "2026-12", "2027-01", 2],
    ["2027-03-31T23:59:59.999Z", 0, "2027-03", "2027-03", 1],
  ])("lists the renewal buckets up to %s, %i months back", (until, back, first, last, count) => {
    const months = renewalMonths(new Date(until), back);
    expect(months[0]).toBe(first);
    expect(months.at(-1)).toBe(last);
    expect(months).toHaveLength(count);
    expect(new Set(months).size).toBe(count);
  });

  it("describes an on-demand table with the two indexes on their key attributes", () => {
    const input = createOrderTableInput("orders");
    expect(input).toMatchObject({ TableName: "orders", BillingMode: "PAY_PER_REQUEST" });
    expect(
      input.GlobalSecondaryIndexes?.map((index) => [
        index.IndexName,
        index.KeySchema?.map((key) => `${key.AttributeName}:${key.KeyType}`),
      ]),
    ).toEqual([
      ["ByTenant", ["GSI1PK:HASH", "GSI1SK:RANGE"]],
      ["ByRenewalDate", ["GSI2PK:HASH", "GSI2SK:RANGE"]],
      ["ByReviewQueue", ["GSI3PK:HASH", "GSI3SK:RANGE"]],
    ]);
    const defined = input.AttributeDefinitions?.map((definition) => definition.AttributeName);
    expect(defined?.sort()).toEqual([
      "GSI1PK",
      "GSI1SK",
      "GSI2PK",
      "GSI2SK",
      "GSI3PK",
      "GSI3SK",
      "PK",
      "SK",
    ]);
  });
});

describe("the listing cursor", () => {
  const position = { PK: "ORDER#o", SK: "ORDER", GSI1PK: "TENANT#t1", GSI1SK: "2026#o" };

  it("round-trips an index position as URL-safe text", () => {
    const cursor = encodeListCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeListCursor(cursor, "t1")).toEqual(position);
  });

  it.each([
    ["another tenant's", encodeListCursor(position), "t2"],
    ["a non-JSON", "%%%", "t1"],
    ["a JSON non-object", Buffer.from("42").toString("base64url"), "t1"],
    ["an incomplete", Buffer.from(JSON.stringify({ PK: "x" })).toString("base64url"), "t1"],
  ])("refuses %s cursor", (_case, cursor, tenant) => {
    expect(() => decodeListCursor(cursor, tenant)).toThrow(InvalidListCursor);
  });
});
