import type { CertificateProgress } from "../../ports/certificate-authority.ts";
import { caPollDelaySeconds } from "../ca-polling.ts";
import { loadOrder, statusEvent, updateOrder } from "../order-updates.ts";
import type { WorkflowDependencies } from "../workflow-dependencies.ts";
import { CaTimedOut, OrderNotInStep } from "../workflow-errors.ts";

export interface IssuancePlan {
  readonly attempt: number;
  readonly ready: boolean;
  readonly waitSeconds: number;
}

function plan(deps: WorkflowDependencies, attempt: number, progress: CertificateProgress) {
  return progress.state === "issued"
    ? { attempt, ready: true, waitSeconds: 1 }
    : {
        attempt,
        ready: false,
        waitSeconds: caPollDelaySeconds(deps.settings, attempt, progress.retryAfterSeconds),
      };
}

export async function finalizeWithCsr(
  deps: WorkflowDependencies,
  input: { orderId: string },
): Promise<IssuancePlan> {
  const order = await loadOrder(deps.store, input.orderId);
  if (order.caOrderRef === undefined) {
    throw new OrderNotInStep(`Order ${order.orderId} has not been placed with a CA.`);
  }
  // A rerun after the CA already accepted the CSR only asks how far it got.
  if (order.status === "ISSUING") {
    return plan(deps, 0, await deps.ca.certificateProgress(order.caOrderRef));
  }
  if (order.status !== "PENDING_VALIDATION") {
    throw new OrderNotInStep(`Order ${order.orderId} is ${order.status}, not PENDING_VALIDATION.`);
  }
  const csrPem = await deps.vault.getCsr(order.orderId);
  if (csrPem === undefined) throw new OrderNotInStep(`Order ${order.orderId} has no CSR.`);
  const now = deps.clock.now();
  const caDeadline = new Date(now.getTime() + deps.settings.caDecisionTimeoutSeconds * 1000);
  await updateOrder(deps.store, order.orderId, () => ({
    changes: { status: "ISSUING", caDeadline: caDeadline.toISOString() },
    event: statusEvent(now, "ISSUING", "The CSR was sent to the CA for issuance."),
  }));
  const progress = await deps.ca.finalize(order.caOrderRef, csrPem, order.validityDays);
  return plan(deps, 0, progress);
}

export async function checkCertificateReady(
  deps: WorkflowDependencies,
  input: { orderId: string; attempt: number },
): Promise<IssuancePlan> {
  const order = await loadOrder(deps.store, input.orderId);
  if (order.caOrderRef === undefined) {
    throw new OrderNotInStep(`Order ${order.orderId} has not been placed with a CA.`);
  }
  const progress = await deps.ca.certificateProgress(order.caOrderRef);
  const attempt = input.attempt + 1;
  if (
    progress.state === "processing" &&
    order.caDeadline !== undefined &&
    deps.clock.now() >= new Date(order.caDeadline)
  ) {
    throw new CaTimedOut(`The CA did not issue before ${order.caDeadline}.`);
  }
  return plan(deps, attempt, progress);
}
