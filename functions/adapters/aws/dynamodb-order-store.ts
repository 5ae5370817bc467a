import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mapWithConcurrency } from "../../domain/bounded-concurrency.ts";
import type { Clock } from "../../domain/clock.ts";
import type { OrderEvent, OrderRecord } from "../../domain/order-record.ts";
import {
  type CreateOrderResult,
  type IdempotencyClaim,
  IdempotencyKeyInUse,
  type OrderPage,
  type OrderStore,
  VersionConflict,
} from "../../ports/order-store.ts";
import { dynamoDbApprovals } from "./dynamodb-approvals.ts";
import { dynamoDbProvenNames } from "./dynamodb-proven-names.ts";
import { dynamoDbQuotas } from "./dynamodb-quotas.ts";
import { dynamoDbWebhooks } from "./dynamodb-webhooks.ts";
import {
  fromOrderItem,
  isConditionFailure,
  renewalIndexKeys,
  reviewQueueKeys,
  toOrderItem,
  withoutUndefined,
} from "./order-item.ts";
import { decodeListCursor, encodeListCursor, type ListPosition } from "./order-list-cursor.ts";
import {
  EVENT_SORT_KEY_PREFIX,
  eventSortKey,
  idempotencyKey,
  ORDER_TABLE,
  orderKey,
  orderPartition,
  RENEWAL_LOOKBACK_MONTHS,
  REVIEW_QUEUE_PARTITION,
  renewalMonths,
  renewalPartition,
  renewalShardsOf,
  renewalSortKey,
  TTL_ATTRIBUTE,
  tenantPartition,
} from "./order-table-design.ts";

/** The creation event's sequence; update events use the version they wrote (always higher). */
const CREATION_SEQUENCE = 0;
const CLAIM_ATTEMPTS = 3;

const epochSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/**
 * The most names an order has (MAX_NAMES of the domain rules, not imported here: they load the
 * public suffix list): a name filter compares each position of the order's `names` list.
 */
const MOST_NAMES_PER_ORDER = 100;

/** The listing's filter: a status, and/or one name among the order's (`names[i].ascii`). */
function listFilter(
  status: string | undefined,
  domain: string | undefined,
):
  | { expression: string; names: Record<string, string>; values: Record<string, unknown> }
  | undefined {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (status !== undefined) {
    terms.push("#status = :status");
    names["#status"] = "status";
    values[":status"] = status;
  }
  if (domain !== undefined) {
    // A list of maps cannot be searched by one field: each position is compared (under 2 kB
    // of the expression's 4 kB).
    const positions = Array.from(
      { length: MOST_NAMES_PER_ORDER },
      (_, index) => `#names[${index}].#ascii = :domain`,
    );
    terms.push(`(${positions.join(" OR ")})`);
    names["#names"] = "names";
    names["#ascii"] = "ascii";
    values[":domain"] = domain;
  }
  return terms.length === 0 ? undefined : { expression: terms.join(" AND "), names, values };
}

export interface DynamoDbOrderStoreOptions {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock?: Clock;
  /** How far back `dueForRenewal` looks for overdue renewals (default 13 months). */
  readonly renewalLookbackMonths?: number;
}

/**
 * The order store on one DynamoDB table (see order-table-design.ts), built on conditional
 * writes only: no transactions, so each write is safe to repeat after a crash between writes.
 */
export function createDynamoDbOrderStore(options: DynamoDbOrderStoreOptions): OrderStore {
  const documents =
    options.client instanceof DynamoDBDocumentClient
      ? options.client
      : DynamoDBDocumentClient.from(options.client, {
          marshallOptions: { removeUndefinedValues: true },
        });
  const TableName = options.tableName;
  const now = () => options.clock?.now() ?? new Date();
  const lookbackMonths = options.renewalLookbackMonths ?? RENEWAL_LOOKBACK_MONTHS;

  async function getOrder(orderId: string): Promise<OrderRecord | undefined> {
    const answer = await documents.send(
      new GetCommand({ TableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    return answer.Item === undefined ? undefined : fromOrderItem(answer.Item);
  }

  /** A put with a condition; false when the condition failed and nothing was written. */
  async function conditionalPut(put: Omit<PutCommandInput, "TableName">): Promise<boolean> {
    try {
      await documents.send(new PutCommand({ TableName, ...put }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Puts an order that must not exist yet; false when it already does. */
  async function putOrderIfAbsent(order: OrderRecord): Promise<boolean> {
    return conditionalPut({
      Item: toOrderItem(order),
      ConditionExpression: "attribute_not_exists(PK)",
    });
  }

  async function putEvent(orderId: string, sortKey: string, event: OrderEvent): Promise<void> {
    await documents.send(
      new PutCommand({
        TableName,
        Item: { ...withoutUndefined(event), PK: orderPartition(orderId), SK: sortKey },
      }),
    );
  }

  /** Writes the creation event once: its key depends on the order only, so repeats are no-ops. */
  async function putCreationEvent(order: OrderRecord, event: OrderEvent): Promise<void> {
    await conditionalPut({
      Item: {
        ...withoutUndefined(event),
        PK: orderPartition(order.orderId),
        SK: eventSortKey(order.createdAt, CREATION_SEQUENCE),
      },
      ConditionExpression: "attribute_not_exists(SK)",
    });
  }

  /** Claims the key for `orderId`; a claim whose TTL has passed counts as free. */
  async function putClaim(claim: IdempotencyClaim, orderId: string): Promise<boolean> {
    return conditionalPut({
      Item: {
        ...idempotencyKey(claim.tenantId, claim.key),
        tenantId: claim.tenantId,
        orderId,
        requestHash: claim.requestHash,
        [TTL_ATTRIBUTE]: epochSeconds(claim.expiresAt),
      },
      ConditionExpression: "attribute_not_exists(PK) OR #expiresAt < :now",
      ExpressionAttributeNames: { "#expiresAt": TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ":now": Math.floor(now().getTime() / 1000) },
    });
  }

  async function getClaim(
    claim: IdempotencyClaim,
  ): Promise<{ orderId: string; requestHash: string; tenantId?: string } | undefined> {
    const answer = await documents.send(
      new GetCommand({
        TableName,
        Key: idempotencyKey(claim.tenantId, claim.key),
        ConsistentRead: true,
      }),
    );
    const item = answer.Item;
    if (typeof item?.orderId !== "string" || typeof item.requestHash !== "string") {
      return undefined;
    }
    return {
      orderId: item.orderId,
      requestHash: item.requestHash,
      tenantId: typeof item.tenantId === "string" ? item.tenantId : undefined,
    };
  }

  async function createNew(order: OrderRecord, event: OrderEvent): Promise<CreateOrderResult> {
    if (!(await putOrderIfAbsent(order))) {
      throw new VersionConflict(`Order ${order.orderId} already exists.`);
    }
    await putCreationEvent(order, event);
    return { created: true, order: withoutUndefined(order) };
  }

  /*
   * Writes happen in the order claim → order → creation event, each conditional. A writer that
   * stops after the claim leaves a claim naming an order that does not exist: a retry with the
   * same key and the same request then writes that order under the claimed id (and its event),
   * so the key never stays blocked and never yields two orders. Two such writers race on the
   * order's conditional put; the loser answers the winner's order as a replay.
   */
  async function createClaimed(
    order: OrderRecord,
    event: OrderEvent,
    claim: IdempotencyClaim,
  ): Promise<CreateOrderResult> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (await putClaim(claim, order.orderId)) {
        if (await putOrderIfAbsent(order)) {
          await putCreationEvent(order, event);
          return { created: true, order: withoutUndefined(order) };
        }
        // Only a retry of this very request writes under a claimed id (see above).
        const completed = await getOrder(order.orderId);
        if (completed?.tenantId !== claim.tenantId) {
          throw new VersionConflict(`Order ${order.orderId} already exists.`);
        }
        return { created: false, existing: completed, sameRequest: true };
      }
      const held = await getClaim(claim);
      if (held === undefined) continue; // expired and deleted in between: claim again
      // A claim of another tenant (a claim written before it held its tenant says so through its
      // order) is never answered with, nor completed.
      if (held.tenantId !== undefined && held.tenantId !== claim.tenantId) {
        throw new IdempotencyKeyInUse(claim.key);
      }
      const sameRequest = held.requestHash === claim.requestHash;
      let existing = await getOrder(held.orderId);
      if (existing === undefined) {
        if (!sameRequest) throw new IdempotencyKeyInUse(claim.key);
        const completed = withoutUndefined({ ...order, orderId: held.orderId });
        if (await putOrderIfAbsent(completed)) {
          await putCreationEvent(completed, event);
          return { created: true, order: completed };
        }
        existing = await getOrder(held.orderId);
        if (existing === undefined) continue;
      }
      if (existing.tenantId !== claim.tenantId) throw new IdempotencyKeyInUse(claim.key);
      if (sameRequest) await putCreationEvent(existing, event);
      return { created: false, existing, sameRequest };
    }
    throw new IdempotencyKeyInUse(claim.key);
  }

  return {
    async create(order, event, claim) {
      return claim === undefined ? createNew(order, event) : createClaimed(order, event, claim);
    },

    get: getOrder,

    async update(order, changes, event) {
      const version = order.version + 1;
      const updatedAt = changes.updatedAt ?? now().toISOString();
      const merged = { ...order, ...changes };
      const renewal = renewalIndexKeys(merged);
      const reviewQueue = reviewQueueKeys(merged);
      const assignments: [string, unknown][] = [
        ...Object.entries(changes).filter(([attribute]) => attribute !== "updatedAt"),
        ["updatedAt", updatedAt],
        ["version", version],
        [ORDER_TABLE.byRenewalKeys.partitionKey, renewal?.GSI2PK],
        [ORDER_TABLE.byRenewalKeys.sortKey, renewal?.GSI2SK],
        [ORDER_TABLE.byReviewKeys.partitionKey, reviewQueue?.GSI3PK],
        [ORDER_TABLE.byReviewKeys.sortKey, reviewQueue?.GSI3SK],
      ];
      const sets: string[] = [];
      const removes: string[] = [];
      const names: Record<string, string> = { "#expected": "version" };
      const values: Record<string, unknown> = { ":expected": order.version };
      assignments.forEach(([attribute, value], index) => {
        names[`#a${index}`] = attribute;
        if (value === undefined) {
          removes.push(`#a${index}`);
        } else {
          values[`:v${index}`] = withoutUndefined(value);
          sets.push(`#a${index} = :v${index}`);
        }
      });
      let stored: OrderRecord;
      try {
        const answer = await documents.send(
          new UpdateCommand({
            TableName,
            Key: orderKey(order.orderId),
            UpdateExpression: [
              `SET ${sets.join(", ")}`,
              removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
            ].join(" "),
            ConditionExpression: "#expected = :expected",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        );
        stored = fromOrderItem(answer.Attributes ?? {});
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new VersionConflict(
            `Order ${order.orderId} is no longer at version ${order.version}.`,
          );
        }
        throw error;
      }
      // A crash right here loses this event, never the update: history is informative only.
      if (event !== undefined)
        await putEvent(order.orderId, eventSortKey(event.at, version), event);
      return stored;
    },

    async history(orderId) {
      const events: OrderEvent[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :events)",
            ExpressionAttributeValues: {
              ":pk": orderPartition(orderId),
              ":events": EVENT_SORT_KEY_PREFIX,
            },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const { PK: _partition, SK: _sort, ...event } = item;
          events.push(event as OrderEvent);
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined);
      return events;
    },

    /*
     * With a status or name filter DynamoDB applies `Limit` before the filter, so one query can
     * return fewer matches than asked for: this keeps querying until `limit` orders are collected
     * or the index is exhausted (a rare status or name can cost several reads). The cursor is the
     * index position after the last order read, so a last page may come back empty.
     */
    async listByTenant(tenantId, { status, domain, limit, cursor }): Promise<OrderPage> {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be at least 1.");
      const orders: OrderRecord[] = [];
      let position: Record<string, unknown> | undefined =
        cursor === undefined ? undefined : { ...decodeListCursor(cursor, tenantId) };
      const filter = listFilter(status, domain);
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            IndexName: ORDER_TABLE.byTenantIndex,
            KeyConditionExpression: "GSI1PK = :tenant",
            ...(filter === undefined
              ? { ExpressionAttributeValues: { ":tenant": tenantPartition(tenantId) } }
              : {
                  FilterExpression: filter.expression,
                  ExpressionAttributeNames: filter.names,
                  ExpressionAttributeValues: {
                    ":tenant": tenantPartition(tenantId),
                    ...filter.values,
                  },
                }),
            ScanIndexForward: false,
            Limit: limit - orders.length,
            ExclusiveStartKey: position,
          }),
        );
        orders.push(...(page.Items ?? []).map(fromOrderItem));
        position = page.LastEvaluatedKey;
      } while (position !== undefined && orders.length < limit);
      return position === undefined
        ? { orders }
        : { orders, nextCursor: encodeListCursor(position as unknown as ListPosition) };
    },

    /** Queries the month buckets of the renewal index, oldest first: never a Scan. */
    async dueForRenewal(until, limit, range = {}) {
      const end = new Date(until);
      if (Number.isNaN(end.getTime())) throw new RangeError(`Not a time: ${until}`);
      const upTo = renewalSortKey(end.toISOString(), "\uffff");
      const after =
        range.after === undefined
          ? undefined
          : renewalSortKey(range.after.dueAt, range.after.orderId);
      if (after !== undefined && after >= upTo) return [];
      const due: OrderRecord[] = [];
      // Months before the position's hold nothing after it.
      const partitions = renewalMonths(end, lookbackMonths)
        .filter((month) => after === undefined || month >= after.slice(0, 7))
        .flatMap((month) => renewalShardsOf(range).map((shard) => renewalPartition(month, shard)));
      // Each partition's oldest `limit`, then the oldest `limit` of all: only due orders are
      // read (the key condition stops at `until`), at most `limit` per partition.
      const sortKeys = new Map<OrderRecord, string>();
      // The partitions are asked at once, 16 at a time: a scan is as long as its slowest few.
      await mapWithConcurrency(partitions, 16, async (partition) => {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        let read = 0;
        do {
          const page = await documents.send(
            new QueryCommand({
              TableName,
              IndexName: ORDER_TABLE.byRenewalIndex,
              // BETWEEN includes the position itself: one more is asked for, and it is left out.
              KeyConditionExpression:
                after === undefined
                  ? "GSI2PK = :partition AND GSI2SK <= :upTo"
                  : "GSI2PK = :partition AND GSI2SK BETWEEN :after AND :upTo",
              ExpressionAttributeValues: {
                ":partition": partition,
                ":upTo": upTo,
                ...(after === undefined ? {} : { ":after": after }),
              },
              Limit: limit - read + (after === undefined ? 0 : 1),
              ExclusiveStartKey,
            }),
          );
          for (const item of page.Items ?? []) {
            const sortKey = String(item.GSI2SK ?? "");
            if (sortKey === after) continue;
            const order = fromOrderItem(item);
            sortKeys.set(order, sortKey);
            due.push(order);
            read += 1;
          }
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey !== undefined && read < limit);
      });
      due.sort((a, b) => ((sortKeys.get(a) ?? "") < (sortKeys.get(b) ?? "") ? -1 : 1));
      return due.slice(0, Math.max(0, limit));
    },

    async awaitingReview(limit) {
      const queued: OrderRecord[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName,
            IndexName: ORDER_TABLE.byReviewIndex,
            KeyConditionExpression: "GSI3PK = :queue",
            ExpressionAttributeValues: { ":queue": REVIEW_QUEUE_PARTITION },
            ScanIndexForward: true,
            Limit: Math.max(1, limit - queued.length),
            ExclusiveStartKey,
          }),
        );
        queued.push(...(page.Items ?? []).map(fromOrderItem));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey !== undefined && queued.length < limit);
      return queued.slice(0, Math.max(0, limit));
    },

    ...dynamoDbProvenNames(documents, TableName),
    ...dynamoDbQuotas(documents, TableName),
    ...dynamoDbApprovals(documents, TableName),
    ...dynamoDbWebhooks(documents, TableName),
  };
}
