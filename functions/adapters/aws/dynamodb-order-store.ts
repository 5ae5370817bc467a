import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../../domain/clock.ts";
import type { OrderEvent, OrderRecord } from "../../domain/order-record.ts";
import {
  type CreateOrderResult,
  type IdempotencyClaim,
  type OrderPage,
  type OrderStore,
  VersionConflict,
} from "../../ports/order-store.ts";
import {
  eventSortKey,
  idempotencyKey,
  ORDER_TABLE,
  orderKey,
  renewalPartition,
  tenantPartition,
} from "./order-table-design.ts";

const KEY_ATTRIBUTES = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"];

function toRecord(item: Record<string, unknown>): OrderRecord {
  const record: Record<string, unknown> = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return record as unknown as OrderRecord;
}

function renewalKeys(order: OrderRecord): { GSI2PK: string; GSI2SK: string } | undefined {
  const renewAt = order.certificate?.renewAt;
  if (order.status !== "ISSUED" || renewAt === undefined) return undefined;
  return { GSI2PK: renewalPartition(renewAt), GSI2SK: `${renewAt}#${order.orderId}` };
}

const encodeCursor = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key)).toString("base64url");
const decodeCursor = (cursor: string) =>
  JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === "ConditionalCheckFailedException")
  );
}

function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor <= to) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

export function createDynamoDbOrderStore(options: {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** How far back the renewal query looks for overdue certificates. */
  renewalLookbackMonths?: number;
}): OrderStore {
  const documents =
    options.client instanceof DynamoDBDocumentClient
      ? options.client
      : DynamoDBDocumentClient.from(options.client, {
          marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
        });
  const TableName = options.tableName;
  const now = () => (options.clock?.now() ?? new Date()).toISOString();

  async function getOrder(orderId: string): Promise<OrderRecord | undefined> {
    const answer = await documents.send(
      new GetCommand({ TableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    return answer.Item === undefined ? undefined : toRecord(answer.Item);
  }

  async function putEvent(orderId: string, sequence: number, event: OrderEvent): Promise<void> {
    await documents.send(
      new PutCommand({
        TableName,
        Item: { PK: orderKey(orderId).PK, SK: eventSortKey(event.at, sequence), ...event },
      }),
    );
  }

  async function claimKey(
    claim: IdempotencyClaim,
    orderId: string,
  ): Promise<CreateOrderResult | "claimed"> {
    const Key = idempotencyKey(claim.tenantId, claim.key);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await documents.send(
          new PutCommand({
            TableName,
            Item: {
              ...Key,
              orderId,
              requestHash: claim.requestHash,
              [ORDER_TABLE.ttlAttribute]: Math.floor(new Date(claim.expiresAt).getTime() / 1000),
            },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        );
        return "claimed";
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existingClaim = (
        await documents.send(new GetCommand({ TableName, Key, ConsistentRead: true }))
      ).Item;
      const existing =
        typeof existingClaim?.orderId === "string"
          ? await getOrder(existingClaim.orderId)
          : undefined;
      if (existing !== undefined) {
        return {
          created: false,
          existing,
          sameRequest: existingClaim?.requestHash === claim.requestHash,
        };
      }
      // A claim whose order was never written (the writer stopped between the two puts):
      // drop it and claim again, so the key is not blocked until its TTL.
      await documents.send(new DeleteCommand({ TableName, Key }));
    }
    throw new VersionConflict("The idempotency key is being used by a concurrent request.");
  }

  return {
    async create(order, event, claim) {
      if (claim !== undefined) {
        const claimed = await claimKey(claim, order.orderId);
        if (claimed !== "claimed") return claimed;
      }
      await documents.send(
        new PutCommand({
          TableName,
          Item: {
            ...orderKey(order.orderId),
            GSI1PK: tenantPartition(order.tenantId),
            GSI1SK: `${order.createdAt}#${order.orderId}`,
            ...renewalKeys(order),
            ...order,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      await putEvent(order.orderId, order.version, event);
      return { created: true, order };
    },

    get: getOrder,

    async update(order, changes, event) {
      const merged = {
        ...order,
        ...changes,
        version: order.version + 1,
        updatedAt: changes.updatedAt ?? now(),
      } as OrderRecord;
      const sets: string[] = [];
      const removes: string[] = [];
      const names: Record<string, string> = { "#version": "version" };
      const values: Record<string, unknown> = { ":expected": order.version };
      let index = 0;
      const assign = (attribute: string, value: unknown) => {
        const name = `#a${index}`;
        names[name] = attribute;
        if (value === undefined) {
          removes.push(name);
        } else {
          values[`:v${index}`] = value;
          sets.push(`${name} = :v${index}`);
        }
        index++;
      };
      for (const [attribute, value] of Object.entries(changes)) {
        if (attribute !== "updatedAt") assign(attribute, value);
      }
      assign("version", merged.version);
      assign("updatedAt", merged.updatedAt);
      const renewal = renewalKeys(merged);
      assign("GSI2PK", renewal?.GSI2PK);
      assign("GSI2SK", renewal?.GSI2SK);
      try {
        await documents.send(
          new UpdateCommand({
            TableName,
            Key: orderKey(order.orderId),
            UpdateExpression: [
              sets.length > 0 ? `SET ${sets.join(", ")}` : "",
              removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
            ].join(" "),
            ConditionExpression: "#version = :expected",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new VersionConflict(
            `Order ${order.orderId} changed since version ${order.version}.`,
          );
        }
        throw error;
      }
      if (event !== undefined) await putEvent(order.orderId, merged.version, event);
      const cleaned: Record<string, unknown> = { ...merged };
      for (const [key, value] of Object.entries(cleaned))
        if (value === undefined) delete cleaned[key];
      return cleaned as unknown as OrderRecord;
    },

    async history(orderId) {
      const events: OrderEvent[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :events)",
            ExpressionAttributeValues: { ":pk": orderKey(orderId).PK, ":events": "EVENT#" },
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const { PK: _pk, SK: _sk, ...event } = item;
          events.push(event as OrderEvent);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return events;
    },

    async listByTenant(tenantId, listOptions): Promise<OrderPage> {
      const orders: OrderRecord[] = [];
      let ExclusiveStartKey =
        listOptions.cursor === undefined ? undefined : decodeCursor(listOptions.cursor);
      // With a status filter, pages can come back short: keep reading until the page is full.
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            IndexName: ORDER_TABLE.byTenantIndex,
            KeyConditionExpression: "GSI1PK = :tenant",
            ExpressionAttributeValues: {
              ":tenant": tenantPartition(tenantId),
              ...(listOptions.status === undefined ? {} : { ":status": listOptions.status }),
            },
            ...(listOptions.status === undefined
              ? {}
              : {
                  FilterExpression: "#status = :status",
                  ExpressionAttributeNames: { "#status": "status" },
                }),
            ScanIndexForward: false,
            Limit: listOptions.limit - orders.length,
            ExclusiveStartKey,
          }),
        );
        orders.push(...(page.Items ?? []).map(toRecord));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined && orders.length < listOptions.limit);
      return {
        orders,
        nextCursor: ExclusiveStartKey === undefined ? undefined : encodeCursor(ExclusiveStartKey),
      };
    },

    async dueForRenewal(until, limit) {
      const end = new Date(until);
      const start = new Date(end);
      start.setUTCMonth(start.getUTCMonth() - (options.renewalLookbackMonths ?? 13));
      const due: OrderRecord[] = [];
      for (const month of monthsBetween(start, end)) {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await documents.send(
            new QueryCommand({
              TableName,
              IndexName: ORDER_TABLE.byRenewalIndex,
              KeyConditionExpression: "GSI2PK = :month AND GSI2SK <= :until",
              ExpressionAttributeValues: { ":month": `RENEWAL#${month}`, ":until": `${until}#~` },
              ExclusiveStartKey,
            }),
          );
          due.push(...(page.Items ?? []).map(toRecord));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey !== undefined && due.length < limit);
        if (due.length >= limit) break;
      }
      return due.slice(0, limit);
    },
  };
}
