import {
  type CheckAnswer,
  FINAL_STATUSES,
  type OrderView,
  progressText,
  publishBlock,
  publishKey,
} from "./order-format.ts";
import type { ProgressLine } from "./progress-line.ts";
import {
  ApiRefusal,
  type ServiceClient,
  type ServiceContext,
  ServiceUnreachable,
} from "./service-client.ts";

/** How often the order is read and "verify now" is pressed: each pause grows to its cap. */
export interface WaitPace {
  readonly pollFirstMs: number;
  readonly pollMaxMs: number;
  readonly checkFirstMs: number;
  readonly checkMaxMs: number;
  /** Times in a row the service may not answer (a restart) before the wait gives up. */
  readonly unansweredLimit: number;
}

export const WAIT_PACE: WaitPace = {
  pollFirstMs: 1_000,
  pollMaxMs: 15_000,
  checkFirstMs: 10_000,
  checkMaxMs: 300_000,
  unansweredLimit: 10,
};

export interface WaitOptions {
  readonly client: ServiceClient;
  readonly orderId: string;
  readonly context: Pick<ServiceContext, "sleep" | "now">;
  readonly progress: ProgressLine;
  readonly pace?: WaitPace;
}

const orderPath = (orderId: string) => `/v1/orders/${encodeURIComponent(orderId)}`;

/** Whether the service's "verify now" helps: a name validated by a record or file is open. */
function checkable(order: OrderView): boolean {
  return (
    order.status === "PENDING_VALIDATION" &&
    order.validations.some(
      (validation) => validation.status !== "valid" && validation.method !== "email",
    )
  );
}

/** Whether to try again later: the service did not answer, or answered with its own trouble. */
function passing(error: unknown): boolean {
  return (
    error instanceof ServiceUnreachable ||
    (error instanceof ApiRefusal && (error.status >= 500 || error.status === 429))
  );
}

/**
 * Follows the order until it is ISSUED or ends otherwise, and returns it as last read. Shows
 * what to publish (again whenever it changes), then progress on the progress line; while names
 * wait for their record or file, asks the service to check now, at growing intervals (10 s, 20 s,
 * … up to 5 min) rather than waiting for its own schedule.
 */
export async function waitForOrder(options: WaitOptions): Promise<OrderView> {
  const { client, orderId, context, progress } = options;
  const pace = options.pace ?? WAIT_PACE;
  let pollDelay = pace.pollFirstMs;
  let checkDelay = pace.checkFirstMs;
  let nextCheckAt: number | undefined;
  let lastStatus: string | undefined;
  let shownPublish: string | undefined;
  let unanswered = 0;
  for (;;) {
    let order: OrderView;
    try {
      order = await client.json<OrderView>("GET", orderPath(orderId));
      unanswered = 0;
    } catch (error) {
      if (!passing(error) || ++unanswered > pace.unansweredLimit) throw error;
      progress.update(`${lastStatus ?? "?"} · the service does not answer; trying again`);
      await context.sleep(pollDelay);
      continue;
    }
    if (order.status !== lastStatus) {
      lastStatus = order.status;
      pollDelay = pace.pollFirstMs;
    }
    if (order.status === "PENDING_VALIDATION") {
      const key = publishKey(order);
      if (key !== shownPublish) {
        shownPublish = key;
        const block = publishBlock(order);
        if (block.length > 0) for (const line of block) progress.print(line);
      }
    }
    if (FINAL_STATUSES.has(order.status)) {
      progress.update(progressText(order, { now: context.now() }, false));
      progress.done();
      return order;
    }
    if (checkable(order)) {
      nextCheckAt ??= context.now() + checkDelay;
      if (context.now() >= nextCheckAt) {
        try {
          const check = await client.json<CheckAnswer>("POST", `${orderPath(orderId)}/checks`);
          checkDelay = Math.min(checkDelay * 2, pace.checkMaxMs);
          nextCheckAt = context.now() + checkDelay;
          // Everything there: the CA validates and issues next, worth looking at soon.
          if (check.allPublished) pollDelay = pace.pollFirstMs;
          // The order now holds this check's results: read it again to show them.
          continue;
        } catch (error) {
          if (error instanceof ApiRefusal && error.status === 429) {
            nextCheckAt = context.now() + (error.retryAfterSeconds ?? 5) * 1000;
          } else if (error instanceof ApiRefusal && error.status === 409) {
            // The order moved on meanwhile; the next read shows where.
            pollDelay = pace.pollFirstMs;
          } else if (passing(error)) {
            nextCheckAt = context.now() + checkDelay;
          } else {
            throw error;
          }
        }
      }
    } else {
      nextCheckAt = undefined;
    }
    // Wait for the next read; a line rewritten in place counts down meanwhile.
    const until = context.now() + pollDelay;
    for (;;) {
      progress.update(progressText(order, { nextCheckAt, now: context.now() }, progress.inPlace));
      const left = until - context.now();
      if (left <= 0) break;
      await context.sleep(progress.inPlace ? Math.min(left, 1_000) : left);
    }
    pollDelay = Math.min(Math.round(pollDelay * 1.5), pace.pollMaxMs);
  }
}
