import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OrderStore, QuotaAnswer } from "../../ports/order-store.ts";
import { isConditionFailure } from "./order-item.ts";
import { intervalKey, quotaWindowKey, TTL_ATTRIBUTE } from "./order-table-design.ts";

type QuotaOperations = Pick<OrderStore, "countUse" | "claimInterval">;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * Rate limits kept in the order table, the same code locally (dynalite) and on AWS: one counter
 * item per quota window and one claim item per interval, each changed by a conditional update
 * and removed by the table's TTL once it no longer matters.
 */
export function dynamoDbQuotas(
  documents: DynamoDBDocumentClient,
  TableName: string,
): QuotaOperations {
  return {
    async countUse(quota, at): Promise<QuotaAnswer> {
      const now = epochSeconds(at);
      const windowStart = now - (now % quota.windowSeconds);
      const windowEnd = windowStart + quota.windowSeconds;
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: quotaWindowKey(quota.key, new Date(windowStart * 1000).toISOString()),
            UpdateExpression: "ADD uses :one SET #ttl = :ttl",
            ConditionExpression: "attribute_not_exists(uses) OR uses < :limit",
            ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ":one": 1, ":limit": quota.limit, ":ttl": windowEnd + 60 },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return { allowed: false, retryAfterSeconds: Math.max(1, windowEnd - now) };
      }
    },

    async claimInterval(key, at, minSeconds): Promise<QuotaAnswer> {
      const atMs = at.getTime();
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: intervalKey(key),
            UpdateExpression: "SET claimedAtMs = :at, #ttl = :ttl",
            ConditionExpression: "attribute_not_exists(claimedAtMs) OR claimedAtMs <= :cutoff",
            ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ":at": atMs,
              ":cutoff": atMs - minSeconds * 1000,
              ":ttl": epochSeconds(at) + minSeconds + 60,
            },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return { allowed: false, retryAfterSeconds: minSeconds };
      }
    },
  };
}
