import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { DELIVERY_LOG_DAYS } from "../../domain/webhook-rules.ts";
import type {
  DeliveryAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookStore,
} from "../../ports/webhook-store.ts";
import { isConditionFailure, withoutUndefined } from "./order-item.ts";
import { InvalidListCursor } from "./order-list-cursor.ts";
import {
  ATTEMPT_SORT_PREFIX,
  deliveryAttemptKey,
  TTL_ATTRIBUTE,
  WEBHOOK_ENDPOINT_SORT_PREFIX,
  webhookDeliveryKey,
  webhookEndpointKey,
  webhookPartition,
} from "./order-table-design.ts";

/** Epoch seconds DELIVERY_LOG_DAYS after `iso`: when the table's TTL removes the item. */
export const logExpiry = (iso: string) =>
  Math.floor(new Date(iso).getTime() / 1000) + DELIVERY_LOG_DAYS * 86_400;

function withoutLayout<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (item === undefined) return undefined;
  const { PK: _pk, SK: _sk, [TTL_ATTRIBUTE]: _ttl, ...rest } = item;
  return rest as T;
}

/** An attempt page's cursor: the sort key read last, kept only for the endpoint it came from. */
export function encodeAttemptCursor(sortKey: string): string {
  return Buffer.from(sortKey, "utf8").toString("base64url");
}

export function decodeAttemptCursor(cursor: string): string {
  const sortKey = Buffer.from(cursor, "base64url").toString("utf8");
  if (!sortKey.startsWith(ATTEMPT_SORT_PREFIX) || encodeAttemptCursor(sortKey) !== cursor) {
    throw new InvalidListCursor();
  }
  return sortKey;
}

/**
 * Webhook endpoints, deliveries and their attempts, in the order table (see
 * order-table-design.ts): conditional writes only, as for orders.
 */
export function dynamoDbWebhooks(
  documents: DynamoDBDocumentClient,
  TableName: string,
): WebhookStore {
  return {
    async putWebhookEndpoint(endpoint) {
      await documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...webhookEndpointKey(endpoint.tenantId, endpoint.endpointId),
            ...withoutUndefined(endpoint),
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },

    async getWebhookEndpoint(tenantId, endpointId) {
      const answer = await documents.send(
        new GetCommand({
          TableName,
          Key: webhookEndpointKey(tenantId, endpointId),
          ConsistentRead: true,
        }),
      );
      return withoutLayout<WebhookEndpoint>(answer.Item);
    },

    async listWebhookEndpoints(tenantId) {
      const { PK } = webhookEndpointKey(tenantId, "");
      const endpoints: WebhookEndpoint[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :endpoints)",
            ExpressionAttributeValues: { ":pk": PK, ":endpoints": WEBHOOK_ENDPOINT_SORT_PREFIX },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const endpoint = withoutLayout<WebhookEndpoint>(item);
          if (endpoint?.state === "active") endpoints.push(endpoint);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return endpoints.sort((a, b) =>
        a.createdAt === b.createdAt
          ? a.endpointId.localeCompare(b.endpointId)
          : a.createdAt.localeCompare(b.createdAt),
      );
    },

    async deleteWebhookEndpoint(tenantId, endpointId, at) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: webhookEndpointKey(tenantId, endpointId),
            ConditionExpression: "attribute_exists(PK) AND #state = :active",
            UpdateExpression: "SET #state = :deleted, deletedAt = :at",
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: { ":active": "active", ":deleted": "deleted", ":at": at },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async createWebhookDelivery(delivery) {
      try {
        await documents.send(
          new PutCommand({
            TableName,
            Item: {
              ...webhookDeliveryKey(delivery.endpointId, delivery.deliveryId),
              ...withoutUndefined(delivery),
              [TTL_ATTRIBUTE]: logExpiry(delivery.createdAt),
            },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getWebhookDelivery(endpointId, deliveryId) {
      const answer = await documents.send(
        new GetCommand({
          TableName,
          Key: webhookDeliveryKey(endpointId, deliveryId),
          ConsistentRead: true,
        }),
      );
      return withoutLayout<WebhookDelivery>(answer.Item);
    },

    async recordDeliveryAttempt(delivery, changes, attempt) {
      const sets = ["#state = :state", "attempts = :attempts"];
      const values: Record<string, unknown> = {
        ":state": changes.state,
        ":attempts": changes.attempts,
        ":expected": delivery.attempts,
      };
      if (changes.firstAttemptAt !== undefined) {
        sets.push("firstAttemptAt = :first");
        values[":first"] = changes.firstAttemptAt;
      }
      let expression: string;
      if (changes.nextAttemptAt === undefined) {
        expression = `SET ${sets.join(", ")} REMOVE nextAttemptAt`;
      } else {
        sets.push("nextAttemptAt = :next");
        values[":next"] = changes.nextAttemptAt;
        expression = `SET ${sets.join(", ")}`;
      }
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: webhookDeliveryKey(delivery.endpointId, delivery.deliveryId),
            ConditionExpression: "attribute_exists(PK) AND attempts = :expected",
            UpdateExpression: expression,
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
      // A stop right here loses this line of the log, never the delivery's state.
      await documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...deliveryAttemptKey(
              attempt.endpointId,
              attempt.at,
              attempt.deliveryId,
              attempt.attempt,
            ),
            ...withoutUndefined(attempt),
            [TTL_ATTRIBUTE]: logExpiry(attempt.at),
          },
        }),
      );
      return true;
    },

    async listDeliveryAttempts(endpointId, { limit, cursor }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be at least 1.");
      const PK = webhookPartition(endpointId);
      const attempts: DeliveryAttempt[] = [];
      let position: Record<string, unknown> | undefined =
        cursor === undefined ? undefined : { PK, SK: decodeAttemptCursor(cursor) };
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :attempts)",
            ExpressionAttributeValues: { ":pk": PK, ":attempts": ATTEMPT_SORT_PREFIX },
            ScanIndexForward: false,
            Limit: limit - attempts.length,
            ExclusiveStartKey: position,
          }),
        );
        for (const item of page.Items ?? []) {
          const attempt = withoutLayout<DeliveryAttempt>(item);
          if (attempt !== undefined) attempts.push(attempt);
        }
        position = page.LastEvaluatedKey;
      } while (position !== undefined && attempts.length < limit);
      return position === undefined
        ? { attempts }
        : { attempts, nextCursor: encodeAttemptCursor(String(position.SK)) };
    },
  };
}
