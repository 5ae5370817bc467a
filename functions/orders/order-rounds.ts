import type { OrderEvent } from "../domain/order-record.ts";

/**
 * What an order's history says about the round it is in, so a step that runs again (a retry,
 * or an execution resumed after a restart) continues instead of starting over. The history is
 * ordered by time; events of the same kind are written only by this module's counterparts.
 */

/** The events since the order last entered `status` (all of them if it never did). */
function since(history: readonly OrderEvent[], status: OrderEvent["status"]): OrderEvent[] {
  let start = 0;
  history.forEach((event, index) => {
    if (event.type === "status" && event.status === status) start = index;
  });
  return history.slice(start);
}

/** The history line that records a mail, read back by `wasMailed`. */
export function mailedMessage(what: string, to: string): string {
  return `${what} mailed to ${to}.`;
}

/** Whether `what` was mailed already in this attempt of the order (since it was last submitted). */
export function wasMailed(history: readonly OrderEvent[], what: string): boolean {
  return since(history, "SUBMITTED").some(
    (event) => event.type === "mail" && event.message.startsWith(`${what} mailed to `),
  );
}

/** The history line of the workflow's check number `attempt`, read back by `lastCheckNumber`. */
export function checkMessage(attempt: number, summary: string): string {
  return `Check ${attempt}: ${summary}`;
}

/** The number of the workflow's latest check since the order began waiting for validation. */
export function lastCheckNumber(history: readonly OrderEvent[]): number {
  let last = 0;
  for (const event of since(history, "PENDING_VALIDATION")) {
    const match = event.type === "check" ? /^Check (\d+): /.exec(event.message) : null;
    if (match !== null) last = Math.max(last, Number(match[1]));
  }
  return last;
}
