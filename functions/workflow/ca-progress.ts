import type { CertificateProgress } from "../ports/certificate-authority.ts";
import { caPollDelaySeconds } from "./ca-polling.ts";
import { OrderNotInStep } from "./workflow-errors.ts";
import type { WorkflowSettings } from "./workflow-settings.ts";

/** What the CA-validation loop of the state machine reads (DidCaValidate). */
export interface CaDecision {
  readonly attempt: number;
  readonly valid: boolean;
  /**
   * Valid, and the organization review (OV/EV) is still undecided: the wait for the review
   * follows, and `waitSeconds`/`done` are its first turn (see wait-loop.ts).
   */
  readonly reviewPending: boolean;
  readonly waitSeconds: number;
  readonly done?: boolean;
}

/** What the issuance loop of the state machine reads (IsCertificateReady). */
export interface IssuancePlan {
  readonly attempt: number;
  readonly ready: boolean;
  readonly waitSeconds: number;
}

export function issuancePlan(
  settings: WorkflowSettings,
  attempt: number,
  progress: CertificateProgress,
): IssuancePlan {
  return progress.state === "issued"
    ? { attempt, ready: true, waitSeconds: 1 }
    : {
        attempt,
        ready: false,
        waitSeconds: caPollDelaySeconds(settings, attempt, progress.retryAfterSeconds),
      };
}

/** The CA's reference of an order, which every step after PlaceOrderWithCa needs. */
export function caOrderRefOf(order: { orderId: string; caOrderRef?: string }): string {
  if (order.caOrderRef === undefined) {
    throw new OrderNotInStep(`Order ${order.orderId} has not been placed with a CA.`);
  }
  return order.caOrderRef;
}
