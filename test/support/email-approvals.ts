import type { MemoryMailer } from "../../functions/adapters/memory/memory-mailer.ts";
import type {
  OrderName,
  OrderRecord,
  ValidationRecord,
} from "../../functions/domain/order-record.ts";
import type { MailMessage } from "../../functions/ports/mailer.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import { TaskNotWaiting, type WorkflowEngine } from "../../functions/ports/workflow-engine.ts";
import { sampleEvent, sampleOrder } from "./order-store-contract.ts";

/** When the approval tests' orders start waiting, and their validation deadline a day later. */
export const WAITING_SINCE = new Date("2027-01-10T08:00:00.000Z");
export const DEADLINE = "2027-01-11T08:00:00.000Z";

export const orderName = (ascii: string, display = ascii): OrderName => ({
  ascii,
  display,
  wildcard: ascii.startsWith("*."),
});

/** A name waiting for `approver` to approve it through the mailed link. */
export function emailValidation(
  domain: string,
  approver: string,
  status: ValidationRecord["status"] = "pending",
): ValidationRecord {
  return { domain, method: "email", status, instructions: { method: "email", approver } };
}

/**
 * An order waiting for validation of `validations` (its names are theirs) until DEADLINE,
 * stored in `store`.
 */
export async function storeWaitingOrder(
  store: OrderStore,
  validations: readonly ValidationRecord[],
  overrides: Partial<OrderRecord> & { orderId?: string } = {},
): Promise<OrderRecord> {
  const order = sampleOrder({
    orderId: "ord_email1",
    status: "PENDING_VALIDATION",
    method: validations[0]?.method ?? "email",
    names: validations.map((validation) => orderName(validation.domain)),
    validations,
    validationDeadline: DEADLINE,
    ...overrides,
  });
  await store.create(order, sampleEvent(WAITING_SINCE, "Order received."));
  return order;
}

/** The secrets of the approval links mailed to `approver`, oldest first. */
export function secretsMailedTo(mailer: MemoryMailer, approver: string): string[] {
  return mailer.sent
    .filter((mail) => mail.to.includes(approver))
    .map((mail) => /\/v1\/approvals\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1])
    .filter((secret) => secret !== undefined);
}

export function approvalMails(mailer: MemoryMailer): MailMessage[] {
  return mailer.sent.filter((mail) => mail.subject.startsWith("Approve"));
}

export type EngineCall =
  | { readonly kind: "success"; readonly token: string; readonly output: Record<string, unknown> }
  | { readonly kind: "failure"; readonly token: string; readonly error: string; cause: string };

/**
 * An engine that records the tokens it is sent; `answer` may throw instead (TaskNotWaiting when
 * the task was woken already, anything else for an outage).
 */
export function recordingEngine(answer: () => void = () => undefined): {
  readonly workflow: WorkflowEngine;
  readonly calls: EngineCall[];
} {
  const calls: EngineCall[] = [];
  const unused = () => Promise.reject(new Error("not used here"));
  return {
    calls,
    workflow: {
      startExecution: unused,
      stopExecution: unused,
      describeExecution: unused,
      async sendTaskSuccess(token, output) {
        answer();
        calls.push({ kind: "success", token, output });
      },
      async sendTaskFailure(token, error, cause) {
        answer();
        calls.push({ kind: "failure", token, error, cause });
      },
    },
  };
}

export const taskWokenAlready = () => {
  throw new TaskNotWaiting("The task was woken already.");
};
