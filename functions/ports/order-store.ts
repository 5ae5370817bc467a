import type { OrderEvent, OrderRecord, OrderStatusName } from "../domain/order-record.ts";
import type { ApprovalLinkStore, OrganizationApprovalStore } from "./approval-links.ts";
import type { WebhookStore } from "./webhook-store.ts";

export interface IdempotencyClaim {
  readonly tenantId: string;
  readonly key: string;
  /** Hash of the request body: the same key with another body is a caller mistake. */
  readonly requestHash: string;
  readonly expiresAt: string;
}

export type CreateOrderResult =
  | { readonly created: true; readonly order: OrderRecord }
  | { readonly created: false; readonly existing: OrderRecord; readonly sameRequest: boolean };

export interface OrderPage {
  readonly orders: readonly OrderRecord[];
  readonly nextCursor?: string;
}

export interface OrderStore extends ApprovalLinkStore, OrganizationApprovalStore, WebhookStore {
  /** Writes a new order (and its idempotency claim first, when given); never overwrites. */
  create(
    order: OrderRecord,
    event: OrderEvent,
    claim?: IdempotencyClaim,
  ): Promise<CreateOrderResult>;
  get(orderId: string): Promise<OrderRecord | undefined>;
  /**
   * Applies `changes` when the stored version still equals `order.version`, bumps the version,
   * and appends `event` to the history. Throws VersionConflict when someone else wrote first.
   */
  update(
    order: OrderRecord,
    changes: Partial<Omit<OrderRecord, "orderId" | "tenantId" | "version" | "createdAt">>,
    event?: OrderEvent,
  ): Promise<OrderRecord>;
  history(orderId: string): Promise<readonly OrderEvent[]>;
  listByTenant(
    tenantId: string,
    options: {
      readonly status?: OrderStatusName;
      /** Only orders with this name (its ASCII form, as `names[].ascii` holds it) among theirs. */
      readonly domain?: string;
      readonly limit: number;
      readonly cursor?: string;
    },
  ): Promise<OrderPage>;
  /**
   * OV/EV orders whose letter awaits an operator's decision, longest waiting first (served by
   * the review queue index), at most `limit`.
   */
  awaitingReview(limit: number): Promise<readonly OrderRecord[]>;
  /**
   * Issued orders whose renewal time is at or before `until` (served by the renewal index),
   * earliest due first, at most `limit`: of one shard of the index only, and only those after
   * a position (the last order a run took), when `range` says so.
   */
  dueForRenewal(
    until: string,
    limit: number,
    range?: RenewalIndexRange,
  ): Promise<readonly OrderRecord[]>;
  /**
   * Which of `names` this tenant itself proved control of, with the proof still reusable at
   * `at`. A CA may hold a name validated for someone else: only this record says the tenant did.
   */
  provenNames(tenantId: string, names: readonly string[], at: string): Promise<ReadonlySet<string>>;
  /**
   * Counts one use of a quota in the fixed window that holds `at`: allowed while the window has
   * seen fewer than `limit` uses. Atomic across processes (a conditional write).
   */
  countUse(quota: RateQuota, at: Date): Promise<QuotaAnswer>;
  /**
   * Claims `key` at `at` unless it was claimed less than `minSeconds` before: the minimum
   * interval between two actions. Atomic across processes (a conditional write).
   */
  claimInterval(key: string, at: Date, minSeconds: number): Promise<QuotaAnswer>;
  /** Notes that the tenant proved control of `names`, reusable until `validatedUntil`. */
  recordProvenNames(
    tenantId: string,
    names: readonly string[],
    validatedUntil: string,
  ): Promise<void>;
}

export interface RateQuota {
  /** What is counted, e.g. submissions of one tenant. */
  readonly key: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export type QuotaAnswer =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export class VersionConflict extends Error {
  override readonly name = "VersionConflict";
}

/**
 * The idempotency key is held by a request with another body whose order was never written
 * (its writer stopped between the claim and the order): there is no order to answer with.
 */
export class IdempotencyKeyInUse extends Error {
  override readonly name = "IdempotencyKeyInUse";
  constructor(key: string) {
    super(`The Idempotency-Key ${JSON.stringify(key)} is held by another request.`);
  }
}

/** Where in the renewal index an order sits: when it is next due, then its id. */
export interface RenewalIndexPosition {
  readonly dueAt: string;
  readonly orderId: string;
}

/** Part of the renewal index: one shard (see domain/renewal-shards.ts), after a position. */
export interface RenewalIndexRange {
  readonly shard?: number;
  readonly after?: RenewalIndexPosition;
}
