import type { Clock } from "../../functions/domain/clock.ts";
import type { OrderRecord, OrderStatusName } from "../../functions/domain/order-record.ts";
import { STATUS_KIND } from "../../functions/domain/order-status.ts";
import { noteEvent, updateOrder } from "../../functions/orders/order-updates.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import type { WorkflowEngine } from "../../functions/ports/workflow-engine.ts";

/** `ord_x-2` → `ord_x-3`; an order without an execution name gets its first. */
function nextExecutionName(order: OrderRecord): string {
  const match = /^(.*)-(\d+)$/.exec(order.executionName ?? "");
  return match === null
    ? `${order.orderId}-1`
    : `${match[1] ?? order.orderId}-${Number(match[2] ?? 0) + 1}`;
}

/**
 * Executions do not survive a stop of the local host (AWS keeps them running), however it
 * stopped: a crash, Ctrl-C, SIGTERM. On start, every order with work in flight (a transient
 * status, read from the store) whose execution is not running moves again: an execution that
 * was never started (the host stopped between storing and starting) starts now; one that ended
 * gives way to a new execution (same order id, next attempt number). The steps are idempotent,
 * so it picks up where the order was.
 */
export async function resumeOrdersInFlight(input: {
  store: OrderStore;
  engine: WorkflowEngine;
  /** Every order in a transient status, from the store. */
  ordersInFlight: () => Promise<readonly OrderRecord[]>;
  clock: Clock;
  log: (line: string) => void;
}): Promise<string[]> {
  const resumed: string[] = [];
  for (const order of await input.ordersInFlight()) {
    if (STATUS_KIND[order.status] !== "transient") continue;
    const current = order.executionName;
    const execution =
      current === undefined ? undefined : await input.engine.describeExecution(current);
    if (execution?.status === "RUNNING") continue;
    let name = current;
    if (name === undefined || execution !== undefined) {
      const next = nextExecutionName(order);
      await updateOrder(input.store, order.orderId, () => ({
        changes: { executionName: next, waitToken: undefined },
        event: noteEvent(
          input.clock.now(),
          "workflow",
          `The service restarted; the order continues in execution ${next}.`,
        ),
      }));
      name = next;
    }
    await input.engine.startExecution(name, { orderId: order.orderId });
    input.log(`resumed order ${order.orderId} as execution ${name}`);
    resumed.push(order.orderId);
  }
  return resumed;
}

/** The step an execution runs after its order's final status is recorded: the customer's mail. */
const MAIL_AFTER_FINAL_STATUS: Partial<Record<OrderStatusName, string>> = {
  ISSUED: "SendIssuedMail",
  FAILED: "SendFailureMail",
};

/**
 * An execution the host's stop cut off after it recorded its order ISSUED or FAILED, but before
 * it mailed the customer, is not resumed (a final order never moves again): its mail step runs
 * here instead, once the host is up. The step mails only when the order's history shows no such
 * mail in this attempt, so an execution that had mailed sends nothing more (one stopped between
 * the mail and its note in the history sends it twice, never none).
 */
export async function sendMailsOfStoppedExecutions(input: {
  store: OrderStore;
  /** Names of executions that stopped because their host stopped, not by their own end. */
  stoppedExecutions: readonly string[];
  runStep: (state: string, input: { orderId: string }) => Promise<unknown>;
  /** Called once an execution needs nothing more, so the next start does not look at it again. */
  settled: (name: string) => void;
  log: (line: string) => void;
}): Promise<string[]> {
  const mailed: string[] = [];
  for (const name of input.stoppedExecutions) {
    const orderId = name.replace(/-\d+$/, "");
    const order = await input.store.get(orderId);
    const state = order === undefined ? undefined : MAIL_AFTER_FINAL_STATUS[order.status];
    // Only the order's current execution: a later one (a resumed order) mails for itself.
    if (order === undefined || order.executionName !== name || state === undefined) {
      input.settled(name);
      continue;
    }
    try {
      await input.runStep(state, { orderId });
      mailed.push(orderId);
      input.settled(name);
    } catch (error) {
      input.log(
        `order ${orderId}: ${state} after the restart failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return mailed;
}
