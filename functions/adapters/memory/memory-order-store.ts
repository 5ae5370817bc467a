import type { Clock } from "../../domain/clock.ts";
import type { OrderEvent, OrderRecord } from "../../domain/order-record.ts";
import type { ApprovalLink, ApprovedOrganization } from "../../ports/approval-links.ts";
import { IdempotencyKeyInUse, type OrderStore, VersionConflict } from "../../ports/order-store.ts";
import { renewalIndexKeys, reviewQueueKeys, withoutUndefined } from "../aws/order-item.ts";
import { decodeListCursor, encodeListCursor } from "../aws/order-list-cursor.ts";
import {
  eventSortKey,
  ORDER_SORT_KEY,
  orderPartition,
  RENEWAL_LOOKBACK_MONTHS,
  renewalMonths,
  renewalPartition,
  renewalShardsOf,
  renewalSortKey,
  tenantPartition,
  tenantSortKey,
} from "../aws/order-table-design.ts";
import { createMemoryWebhooks } from "./memory-webhooks.ts";

interface StoredEvent {
  readonly sortKey: string;
  readonly event: OrderEvent;
}

interface Claim {
  readonly orderId: string;
  readonly requestHash: string;
  readonly expiresAtSeconds: number;
}

const copy = <T>(value: T): T => structuredClone(withoutUndefined(value));

/**
 * The order store in memory for unit tests, with the DynamoDB store's semantics: conditional
 * versioned updates, idempotency claims that expire, newest-first pages behind opaque cursors,
 * history ordered by time, and the renewal query over the same month window.
 */
export function createMemoryOrderStore(clock?: Clock): OrderStore {
  const orders = new Map<string, OrderRecord>();
  const events = new Map<string, StoredEvent[]>();
  const claims = new Map<string, Claim>();
  /** validatedUntil by tenant and name. */
  const proven = new Map<string, string>();
  const approvalLinks = new Map<string, ApprovalLink>();
  const organizations = new Map<string, ApprovedOrganization>();
  const quotaUses = new Map<string, number>();
  const intervalClaims = new Map<string, number>();
  const provenKey = (tenantId: string, name: string) => JSON.stringify([tenantId, name]);
  const now = () => clock?.now() ?? new Date();

  const appendEvent = (orderId: string, sortKey: string, event: OrderEvent) => {
    const list = events.get(orderId) ?? [];
    if (list.some((entry) => entry.sortKey === sortKey)) return;
    list.push({ sortKey, event: copy(event) });
    events.set(orderId, list);
  };

  return {
    async create(order, event, claim) {
      if (claim !== undefined) {
        const claimKey = JSON.stringify([claim.tenantId, claim.key]);
        const held = claims.get(claimKey);
        const nowSeconds = Math.floor(now().getTime() / 1000);
        const existing = held === undefined ? undefined : orders.get(held.orderId);
        if (held !== undefined && held.expiresAtSeconds >= nowSeconds && existing !== undefined) {
          // Claims are kept per tenant; an order of another tenant is never an answer.
          if (existing.tenantId !== claim.tenantId) throw new IdempotencyKeyInUse(claim.key);
          return {
            created: false,
            existing: copy(existing),
            sameRequest: held.requestHash === claim.requestHash,
          };
        }
        claims.set(claimKey, {
          orderId: order.orderId,
          requestHash: claim.requestHash,
          expiresAtSeconds: Math.floor(new Date(claim.expiresAt).getTime() / 1000),
        });
      }
      if (orders.has(order.orderId)) {
        throw new VersionConflict(`Order ${order.orderId} already exists.`);
      }
      orders.set(order.orderId, copy(order));
      appendEvent(order.orderId, eventSortKey(order.createdAt, 0), event);
      return { created: true, order: copy(order) };
    },

    async get(orderId) {
      const order = orders.get(orderId);
      return order === undefined ? undefined : copy(order);
    },

    async update(order, changes, event) {
      const stored = orders.get(order.orderId);
      if (stored === undefined || stored.version !== order.version) {
        throw new VersionConflict(
          `Order ${order.orderId} is no longer at version ${order.version}.`,
        );
      }
      const version = order.version + 1;
      const updated = copy({
        ...stored,
        ...changes,
        version,
        updatedAt: changes.updatedAt ?? now().toISOString(),
      });
      orders.set(order.orderId, updated);
      if (event !== undefined) appendEvent(order.orderId, eventSortKey(event.at, version), event);
      return copy(updated);
    },

    async history(orderId) {
      return [...(events.get(orderId) ?? [])]
        .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
        .map((entry) => copy(entry.event));
    },

    async listByTenant(tenantId, { status, domain, limit, cursor }) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError("limit must be at least 1.");
      const after = cursor === undefined ? undefined : decodeListCursor(cursor, tenantId).GSI1SK;
      const matching = [...orders.values()]
        .filter((order) => order.tenantId === tenantId && order.renewalOf === undefined)
        .map((order) => ({ order, sortKey: tenantSortKey(order.createdAt, order.orderId) }))
        .filter(({ sortKey }) => after === undefined || sortKey < after)
        .filter(({ order }) => status === undefined || order.status === status)
        .filter(
          ({ order }) => domain === undefined || order.names.some((name) => name.ascii === domain),
        )
        .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
      const page = matching.slice(0, limit);
      const last = page.at(-1);
      const orderList = page.map(({ order }) => copy(order));
      if (last === undefined || matching.length <= limit) return { orders: orderList };
      return {
        orders: orderList,
        nextCursor: encodeListCursor({
          PK: orderPartition(last.order.orderId),
          SK: ORDER_SORT_KEY,
          GSI1PK: tenantPartition(tenantId),
          GSI1SK: last.sortKey,
        }),
      };
    },

    async dueForRenewal(until, limit, range = {}) {
      const end = new Date(until);
      if (Number.isNaN(end.getTime())) throw new RangeError(`Not a time: ${until}`);
      const partitions = new Set(
        renewalMonths(end, RENEWAL_LOOKBACK_MONTHS).flatMap((month) =>
          renewalShardsOf(range).map((shard) => renewalPartition(month, shard)),
        ),
      );
      const upTo = renewalSortKey(end.toISOString(), "\uffff");
      const after =
        range.after === undefined ? "" : renewalSortKey(range.after.dueAt, range.after.orderId);
      return [...orders.values()]
        .map((order) => ({ order, keys: renewalIndexKeys(order) }))
        .filter(
          ({ keys }) =>
            keys !== undefined &&
            partitions.has(keys.GSI2PK) &&
            keys.GSI2SK <= upTo &&
            keys.GSI2SK > after,
        )
        .sort((a, b) => ((a.keys?.GSI2SK ?? "") < (b.keys?.GSI2SK ?? "") ? -1 : 1))
        .slice(0, Math.max(0, limit))
        .map(({ order }) => copy(order));
    },

    async awaitingReview(limit) {
      return [...orders.values()]
        .map((order) => ({ order, keys: reviewQueueKeys(order) }))
        .filter(({ keys }) => keys !== undefined)
        .sort((a, b) => ((a.keys?.GSI3SK ?? "") < (b.keys?.GSI3SK ?? "") ? -1 : 1))
        .slice(0, Math.max(0, limit))
        .map(({ order }) => copy(order));
    },

    async provenNames(tenantId, names, at) {
      return new Set(names.filter((name) => (proven.get(provenKey(tenantId, name)) ?? "") > at));
    },

    async countUse(quota, at) {
      const now = Math.floor(at.getTime() / 1000);
      const windowStart = now - (now % quota.windowSeconds);
      const key = JSON.stringify([quota.key, windowStart]);
      const uses = quotaUses.get(key) ?? 0;
      if (uses >= quota.limit) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, windowStart + quota.windowSeconds - now),
        };
      }
      quotaUses.set(key, uses + 1);
      return { allowed: true };
    },

    async claimInterval(key, at, minSeconds) {
      const last = intervalClaims.get(key);
      if (last !== undefined && last > at.getTime() - minSeconds * 1000) {
        return { allowed: false, retryAfterSeconds: minSeconds };
      }
      intervalClaims.set(key, at.getTime());
      return { allowed: true };
    },

    async recordProvenNames(tenantId, names, validatedUntil) {
      for (const name of names) proven.set(provenKey(tenantId, name), validatedUntil);
    },

    async putApprovalLink(link) {
      approvalLinks.set(link.linkHash, structuredClone(link));
    },

    async getApprovalLink(linkHash) {
      const link = approvalLinks.get(linkHash);
      return link === undefined ? undefined : structuredClone(link);
    },

    async settleApprovalLink(linkHash, settlement) {
      const link = approvalLinks.get(linkHash);
      if (link === undefined) return { settled: false };
      if (link.state !== "pending") return { settled: false, link: structuredClone(link) };
      const settled: ApprovalLink = {
        ...link,
        state: settlement.state,
        decidedAt: settlement.at,
        ...(settlement.reason === undefined ? {} : { reason: settlement.reason }),
      };
      approvalLinks.set(linkHash, settled);
      return { settled: true, link: structuredClone(settled) };
    },

    async recordApprovedOrganization(tenantId, organizationKey, approval) {
      organizations.set(JSON.stringify([tenantId, organizationKey]), { ...approval });
    },

    async approvedOrganization(tenantId, organizationKey, at) {
      const approval = organizations.get(JSON.stringify([tenantId, organizationKey]));
      return approval !== undefined && approval.reusableUntil > at ? { ...approval } : undefined;
    },

    ...createMemoryWebhooks(),
  };
}
