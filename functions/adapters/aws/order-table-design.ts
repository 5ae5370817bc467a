import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { RENEWAL_INDEX_SHARDS, renewalShard } from "../../domain/renewal-shards.ts";

/**
 * The single-table design of the order store, shared with the CDK stack:
 * - order item           PK=ORDER#<id>                  SK=ORDER
 * - history event        PK=ORDER#<id>                  SK=EVENT#<iso time>#<seq>
 * - idempotency claim    PK=IDEMPOTENCY#<tenant>#<key>  SK=IDEMPOTENCY (TTL on expiresAt;
 *                        tenant and key with % and # escaped, the claim holds its tenantId)
 * - proven name          PK=PROVEN#<tenant>             SK=NAME#<name> (TTL at validatedUntil)
 * - quota window         PK=QUOTA#<key>                 SK=WINDOW#<window start> (TTL)
 * - interval claim       PK=INTERVAL#<key>              SK=INTERVAL (TTL)
 * - approval link        PK=APPROVAL#<sha-256 of secret> SK=APPROVAL (TTL 30 days after expiry)
 * - approved organization PK=ORGANIZATION#<tenant>      SK=ORG#<organization key> (TTL)
 * - webhook endpoint     PK=WEBHOOKS#<tenant>           SK=ENDPOINT#<endpoint id>
 * - webhook delivery     PK=WEBHOOK#<endpoint id>       SK=DELIVERY#<delivery id> (TTL)
 * - delivery attempt     PK=WEBHOOK#<endpoint id>       SK=ATTEMPT#<at>#<delivery id>#<n> (TTL)
 * - ByTenant index       GSI1PK=TENANT#<tenant>         GSI1SK=<createdAt>#<id>
 * - ByRenewalDate index  GSI2PK=RENEWAL#<yyyy-mm>#<shard> GSI2SK=<due>#<id>
 *   (only on ISSUED orders with a certificate, renewals excluded; removed when the order leaves
 *   ISSUED; due = renewAt, or notAfter when the order does not renew itself; RENEWAL_SHARDS
 *   partitions a month, by a hash of the order id, so no partition takes the writes of all)
 * - ByReviewQueue index  GSI3PK=REVIEWQUEUE             GSI3SK=<awaitingSince>#<id>
 *   (only while an OV/EV order's letter awaits an operator's decision: one partition, as
 *   reviews are decided by people, far below a partition's 1,000 writes/s)
 */
export const ORDER_TABLE = {
  partitionKey: "PK",
  sortKey: "SK",
  /** Epoch seconds; the table's TTL attribute (set on idempotency claims only). */
  ttlAttribute: "expiresAt",
  byTenantIndex: "ByTenant",
  byTenantKeys: { partitionKey: "GSI1PK", sortKey: "GSI1SK" },
  byRenewalIndex: "ByRenewalDate",
  byRenewalKeys: { partitionKey: "GSI2PK", sortKey: "GSI2SK" },
  byReviewIndex: "ByReviewQueue",
  byReviewKeys: { partitionKey: "GSI3PK", sortKey: "GSI3SK" },
} as const;

export const TTL_ATTRIBUTE = ORDER_TABLE.ttlAttribute;

/** Attributes that belong to the table layout, not to the stored record. */
export const LAYOUT_ATTRIBUTES: readonly string[] = [
  ORDER_TABLE.partitionKey,
  ORDER_TABLE.sortKey,
  ORDER_TABLE.byTenantKeys.partitionKey,
  ORDER_TABLE.byTenantKeys.sortKey,
  ORDER_TABLE.byRenewalKeys.partitionKey,
  ORDER_TABLE.byRenewalKeys.sortKey,
  ORDER_TABLE.byReviewKeys.partitionKey,
  ORDER_TABLE.byReviewKeys.sortKey,
];

export const REVIEW_QUEUE_PARTITION = "REVIEWQUEUE";
export const reviewQueueSortKey = (awaitingSince: string, orderId: string) =>
  `${awaitingSince}#${orderId}`;

/** How many months back `dueForRenewal` looks for renewals that are overdue. */
export const RENEWAL_LOOKBACK_MONTHS = 13;

export const ORDER_SORT_KEY = "ORDER";
export const EVENT_SORT_KEY_PREFIX = "EVENT#";
export const IDEMPOTENCY_SORT_KEY = "IDEMPOTENCY";

export const orderPartition = (orderId: string) => `ORDER#${orderId}`;
export const orderKey = (orderId: string) => ({ PK: orderPartition(orderId), SK: ORDER_SORT_KEY });

/** The sequence keeps events with the same timestamp apart and in write order. */
export const eventSortKey = (at: string, sequence: number) =>
  `${EVENT_SORT_KEY_PREFIX}${at}#${String(sequence).padStart(6, "0")}`;

/**
 * A caller-chosen value as one part of a composite key: `%` and `#` escaped (as in a URL), so the
 * `#` between parts is always a separator and two different pairs of parts never make one key.
 */
export const keyPart = (text: string) => text.replaceAll("%", "%25").replaceAll("#", "%23");

export const quotaWindowKey = (key: string, windowStart: string) => ({
  PK: `QUOTA#${keyPart(key)}`,
  SK: `WINDOW#${windowStart}`,
});

export const intervalKey = (key: string) => ({ PK: `INTERVAL#${keyPart(key)}`, SK: "INTERVAL" });

export const idempotencyKey = (tenantId: string, key: string) => ({
  PK: `IDEMPOTENCY#${keyPart(tenantId)}#${keyPart(key)}`,
  SK: IDEMPOTENCY_SORT_KEY,
});

export const approvalLinkKey = (linkHash: string) => ({
  PK: `APPROVAL#${keyPart(linkHash)}`,
  SK: "APPROVAL",
});

export const approvedOrganizationKey = (tenantId: string, organizationKey: string) => ({
  PK: `ORGANIZATION#${keyPart(tenantId)}`,
  SK: `ORG#${keyPart(organizationKey)}`,
});

export const WEBHOOK_ENDPOINT_SORT_PREFIX = "ENDPOINT#";
export const DELIVERY_SORT_PREFIX = "DELIVERY#";
export const ATTEMPT_SORT_PREFIX = "ATTEMPT#";

/** A tenant's webhook endpoints share one partition: listing them is one query. */
export const webhookEndpointKey = (tenantId: string, endpointId: string) => ({
  PK: `WEBHOOKS#${keyPart(tenantId)}`,
  SK: `${WEBHOOK_ENDPOINT_SORT_PREFIX}${keyPart(endpointId)}`,
});

/** An endpoint's deliveries and their attempts share one partition, apart from the tenant's. */
export const webhookPartition = (endpointId: string) => `WEBHOOK#${keyPart(endpointId)}`;

export const webhookDeliveryKey = (endpointId: string, deliveryId: string) => ({
  PK: webhookPartition(endpointId),
  SK: `${DELIVERY_SORT_PREFIX}${keyPart(deliveryId)}`,
});

/** Newest last in the sort order, so an endpoint's log reads newest first backwards. */
export const deliveryAttemptKey = (
  endpointId: string,
  at: string,
  deliveryId: string,
  attempt: number,
) => ({
  PK: webhookPartition(endpointId),
  SK: `${ATTEMPT_SORT_PREFIX}${at}#${keyPart(deliveryId)}#${String(attempt).padStart(3, "0")}`,
});

/** A name one tenant proved control of; the tenant is the whole partition key, the name the sort key. */
export const provenNameKey = (tenantId: string, name: string) => ({
  PK: `PROVEN#${tenantId}`,
  SK: `NAME#${name}`,
});

export const tenantPartition = (tenantId: string) => `TENANT#${tenantId}`;
export const tenantSortKey = (createdAt: string, orderId: string) => `${createdAt}#${orderId}`;

/** Partitions of each month of the renewal index (see README, "Scale"). */
export const RENEWAL_SHARDS = RENEWAL_INDEX_SHARDS;
export { renewalShard };

/** The shards a part of the renewal index covers: the one it names, or all of them. */
export function renewalShardsOf(range: { readonly shard?: number }): number[] {
  const { shard } = range;
  if (shard === undefined) return Array.from({ length: RENEWAL_SHARDS }, (_, index) => index);
  if (!Number.isInteger(shard) || shard < 0 || shard >= RENEWAL_SHARDS) {
    throw new RangeError(`No renewal index shard ${shard}: there are ${RENEWAL_SHARDS}.`);
  }
  return [shard];
}

/** The partition of a renewal time (or a `yyyy-mm` month) and shard: `RENEWAL#yyyy-mm#07`. */
export const renewalPartition = (renewAt: string, shard: number) =>
  `RENEWAL#${renewAt.slice(0, 7)}#${String(shard).padStart(2, "0")}`;
export const renewalSortKey = (renewAt: string, orderId: string) => `${renewAt}#${orderId}`;

/** The month buckets (`yyyy-mm`) from `lookbackMonths` before `until`'s month up to it. */
export function renewalMonths(until: Date, lookbackMonths: number): string[] {
  const months: string[] = [];
  const month = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() - lookbackMonths));
  while (month <= until) {
    months.push(month.toISOString().slice(0, 7));
    month.setUTCMonth(month.getUTCMonth() + 1);
  }
  return months;
}

export function createOrderTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, byTenantKeys, byRenewalKeys, byReviewKeys } = ORDER_TABLE;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: "S" },
      { AttributeName: sortKey, AttributeType: "S" },
      { AttributeName: byTenantKeys.partitionKey, AttributeType: "S" },
      { AttributeName: byTenantKeys.sortKey, AttributeType: "S" },
      { AttributeName: byRenewalKeys.partitionKey, AttributeType: "S" },
      { AttributeName: byRenewalKeys.sortKey, AttributeType: "S" },
      { AttributeName: byReviewKeys.partitionKey, AttributeType: "S" },
      { AttributeName: byReviewKeys.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" },
      { AttributeName: sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ORDER_TABLE.byTenantIndex,
        KeySchema: [
          { AttributeName: byTenantKeys.partitionKey, KeyType: "HASH" },
          { AttributeName: byTenantKeys.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: ORDER_TABLE.byRenewalIndex,
        KeySchema: [
          { AttributeName: byRenewalKeys.partitionKey, KeyType: "HASH" },
          { AttributeName: byRenewalKeys.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: ORDER_TABLE.byReviewIndex,
        KeySchema: [
          { AttributeName: byReviewKeys.partitionKey, KeyType: "HASH" },
          { AttributeName: byReviewKeys.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
  };
}
