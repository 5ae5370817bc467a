import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { OrderStore } from "../../ports/order-store.ts";
import { provenNameKey, TTL_ATTRIBUTE } from "./order-table-design.ts";

type ProvenNameOperations = Pick<OrderStore, "provenNames" | "recordProvenNames">;

/**
 * The record of names each tenant proved control of, in the order table: one item per tenant
 * and name holding how long the proof may be reused; the table's TTL removes stale ones.
 */
export function dynamoDbProvenNames(
  documents: DynamoDBDocumentClient,
  TableName: string,
): ProvenNameOperations {
  return {
    async provenNames(tenantId, names, at) {
      const proven = new Set<string>();
      for (const name of new Set(names)) {
        const answer = await documents.send(
          new GetCommand({ TableName, Key: provenNameKey(tenantId, name), ConsistentRead: true }),
        );
        const until = answer.Item?.validatedUntil;
        if (typeof until === "string" && until > at) proven.add(name);
      }
      return proven;
    },

    async recordProvenNames(tenantId, names, validatedUntil) {
      for (const name of new Set(names)) {
        await documents.send(
          new PutCommand({
            TableName,
            Item: {
              ...provenNameKey(tenantId, name),
              validatedUntil,
              [TTL_ATTRIBUTE]: Math.ceil(new Date(validatedUntil).getTime() / 1000),
            },
          }),
        );
      }
    },
  };
}
