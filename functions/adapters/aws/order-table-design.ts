import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The single-table design of the order store, shared with the CDK stack:
 * - order item           PK=ORDER#<id>                SK=ORDER
 * - history event        PK=ORDER#<id>                SK=EVENT#<iso time>#<seq>
 * - idempotency claim    PK=IDEMPOTENCY#<tenant>#<key> SK=IDEMPOTENCY (TTL on expiresAt)
 * - ByTenant index       GSI1PK=TENANT#<tenant>        GSI1SK=<createdAt>#<id>
 * - ByRenewalDate index  GSI2PK=RENEWAL#<yyyy-mm>      GSI2SK=<renewAt>#<id> (issued orders only)
 */
export const ORDER_TABLE = {
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "expiresAt",
  byTenantIndex: "ByTenant",
  byTenantKeys: { partitionKey: "GSI1PK", sortKey: "GSI1SK" },
  byRenewalIndex: "ByRenewalDate",
  byRenewalKeys: { partitionKey: "GSI2PK", sortKey: "GSI2SK" },
} as const;

export const orderKey = (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: "ORDER" });
export const eventSortKey = (at: string, sequence: number) =>
  `EVENT#${at}#${String(sequence).padStart(6, "0")}`;
export const idempotencyKey = (tenantId: string, key: string) => ({
  PK: `IDEMPOTENCY#${tenantId}#${key}`,
  SK: "IDEMPOTENCY",
});
export const tenantPartition = (tenantId: string) => `TENANT#${tenantId}`;
export const renewalPartition = (renewAt: string) => `RENEWAL#${renewAt.slice(0, 7)}`;

export function createOrderTableInput(tableName: string): CreateTableCommandInput {
  const { byTenantKeys, byRenewalKeys } = ORDER_TABLE;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "PK", AttributeType: "S" },
      { AttributeName: "SK", AttributeType: "S" },
      { AttributeName: byTenantKeys.partitionKey, AttributeType: "S" },
      { AttributeName: byTenantKeys.sortKey, AttributeType: "S" },
      { AttributeName: byRenewalKeys.partitionKey, AttributeType: "S" },
      { AttributeName: byRenewalKeys.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
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
    ],
  };
}
