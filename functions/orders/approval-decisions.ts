import type { Clock } from "../domain/clock.ts";
import { emailValidationProblem } from "../domain/email-validation-dates.ts";
import type { OrderRecord, ValidationRecord } from "../domain/order-record.ts";
import { requesterOf } from "../mail/approval-mails.ts";
import type { ApprovalLink } from "../ports/approval-links.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { TaskNotWaiting, type WorkflowEngine } from "../ports/workflow-engine.ts";
import { approvalLinkHash, isApprovalSecret } from "./approval-requests.ts";
import { noteEvent, updateOrder } from "./order-updates.ts";
import { allNamesPublished } from "./publication-checks.ts";

/** Why a link cannot be used: 404 for a link never made, 410 for one that is dead. */
export interface ApprovalRefusal {
  readonly status: 404 | 410;
  readonly code: string;
  readonly title: string;
  readonly message: string;
}

/** What the approver is asked to approve: nothing that identifies the order beyond it. */
export interface ApprovalRequestView {
  readonly approver: string;
  readonly names: readonly string[];
  readonly requestedBy: string;
  readonly expiresAt: string;
}

export type ApprovalLookup =
  | { readonly ok: true; readonly link: ApprovalLink; readonly order: OrderRecord }
  | { readonly ok: false; readonly refusal: ApprovalRefusal };

export type ApprovalDecision = "approve" | "decline";

const UNKNOWN: ApprovalRefusal = {
  status: 404,
  code: "APPROVAL_LINK_UNKNOWN",
  title: "Unknown approval link",
  message:
    "This approval link is not known. Check that the whole link was copied from the mail, or ask the requester to send it again.",
};

function deadLink(link: ApprovalLink): ApprovalRefusal {
  const at = link.decidedAt ?? "";
  switch (link.state) {
    case "approved":
      return {
        status: 410,
        code: "APPROVAL_LINK_USED",
        title: "Already approved",
        message: `This request was approved at ${at}. A link decides once; nothing more is needed.`,
      };
    case "declined":
      return {
        status: 410,
        code: "APPROVAL_LINK_DECLINED",
        title: "Already declined",
        message: `This request was declined at ${at}. A link decides once; the certificate will not be issued through it.`,
      };
    case "replaced":
      return {
        status: 410,
        code: "APPROVAL_LINK_REPLACED",
        title: "A newer link was sent",
        message: `This link was replaced at ${at}: the request was mailed again or changed. Use the link in the latest mail to ${link.approver}.`,
      };
    case "pending":
      throw new Error("A pending link is not dead");
    default: {
      const unknownState: never = link.state;
      throw new Error(`Unknown approval link state ${String(unknownState)}`);
    }
  }
}

/** The link for `secret`, if it can still decide at `now`, with its order. */
export async function lookUpApproval(
  store: OrderStore,
  secret: string,
  now: Date,
): Promise<ApprovalLookup> {
  if (!isApprovalSecret(secret)) return { ok: false, refusal: UNKNOWN };
  const link = await store.getApprovalLink(approvalLinkHash(secret));
  if (link === undefined) return { ok: false, refusal: UNKNOWN };
  if (link.state !== "pending") return { ok: false, refusal: deadLink(link) };
  if (now.toISOString() >= link.validUntil) {
    return {
      ok: false,
      refusal: {
        status: 410,
        code: "APPROVAL_LINK_EXPIRED",
        title: "This link has expired",
        message: `This link expired at ${link.validUntil}, with the order's validation deadline. The requester can order again.`,
      },
    };
  }
  const retired = emailValidationProblem(now);
  if (retired !== undefined) {
    return {
      ok: false,
      refusal: {
        status: 410,
        code: "EMAIL_VALIDATION_RETIRED",
        title: "Email approval has ended",
        message: `${retired.message} The requester must switch the order to DNS or HTTP validation.`,
      },
    };
  }
  const order = await store.get(link.orderId);
  if (order === undefined || order.status !== "PENDING_VALIDATION") {
    return {
      ok: false,
      refusal: {
        status: 410,
        code: "ORDER_NOT_WAITING",
        title: "Nothing to approve any more",
        message: `The request is no longer waiting for approval (it is ${order?.status.toLowerCase().replaceAll("_", " ") ?? "gone"}).`,
      },
    };
  }
  return { ok: true, link, order };
}

export function approvalView(link: ApprovalLink, order: OrderRecord): ApprovalRequestView {
  return {
    approver: link.approver,
    names: order.names.filter((name) => link.names.includes(name.ascii)).map((n) => n.display),
    requestedBy: requesterOf(order),
    expiresAt: link.validUntil,
  };
}

function decided(
  validation: ValidationRecord,
  link: ApprovalLink,
  decision: ApprovalDecision,
  at: string,
  reason: string | undefined,
): ValidationRecord {
  const mine =
    link.names.includes(validation.domain) &&
    validation.status === "pending" &&
    validation.instructions.method === "email" &&
    validation.instructions.approver === link.approver;
  if (!mine) return validation;
  return decision === "approve"
    ? {
        ...validation,
        status: "published",
        lastCheck: { at, ok: true, detail: `Approved by ${link.approver}.` },
      }
    : {
        ...validation,
        status: "invalid",
        lastCheck: {
          at,
          ok: false,
          cause: "APPROVER_DECLINED",
          detail: `${link.approver} declined${reason === undefined ? "" : `: ${reason}`}`,
        },
      };
}

/** Whether this link still waits on the order: one of its names is still pending for it. */
function awaitsOnOrder(link: ApprovalLink, order: OrderRecord): boolean {
  return (
    order.status === "PENDING_VALIDATION" &&
    order.validations.some(
      (validation) =>
        link.names.includes(validation.domain) &&
        validation.status === "pending" &&
        validation.instructions.method === "email" &&
        validation.instructions.approver === link.approver,
    )
  );
}

/** A link settled with `decision` whose order never took it, with that order. */
async function unfinishedDecision(
  store: OrderStore,
  secret: string,
  decision: ApprovalDecision,
): Promise<{ link: ApprovalLink; order: OrderRecord } | undefined> {
  if (!isApprovalSecret(secret)) return undefined;
  const link = await store.getApprovalLink(approvalLinkHash(secret));
  if (link?.state !== (decision === "approve" ? "approved" : "declined")) return undefined;
  const order = await store.get(link.orderId);
  return order !== undefined && awaitsOnOrder(link, order) ? { link, order } : undefined;
}

export interface ApprovalDecisionDeps {
  readonly store: OrderStore;
  readonly workflow: Pick<WorkflowEngine, "sendTaskSuccess" | "sendTaskFailure">;
  readonly clock: Clock;
}

/**
 * Records an approver's decision, once: the link is settled first (of two racing decisions one
 * wins), then the order's names; the parked wait is woken at once (approved: when every name is
 * approved or published; declined: the order fails). A wait that is not parked finds the
 * decision on the order at its next turn.
 */
export async function decideApproval(
  deps: ApprovalDecisionDeps,
  secret: string,
  decision: ApprovalDecision,
  reason: string | undefined,
): Promise<{ ok: true; view: ApprovalRequestView } | { ok: false; refusal: ApprovalRefusal }> {
  const now = deps.clock.now();
  const found = await lookUpApproval(deps.store, secret, now);
  let link: ApprovalLink;
  let order: OrderRecord;
  if (found.ok) {
    const settled = await deps.store.settleApprovalLink(found.link.linkHash, {
      state: decision === "approve" ? "approved" : "declined",
      at: now.toISOString(),
      ...(reason === undefined ? {} : { reason }),
    });
    if (!settled.settled) {
      return { ok: false, refusal: settled.link === undefined ? UNKNOWN : deadLink(settled.link) };
    }
    ({ link, order } = found);
  } else {
    // The same decision again, on a link settled by an attempt that stopped before the order
    // took it: this one finishes what that one began.
    const unfinished = await unfinishedDecision(deps.store, secret, decision);
    if (unfinished === undefined) return found;
    ({ link, order } = unfinished);
    reason = reason ?? link.reason;
  }
  const at = now.toISOString();
  const names = link.names.join(", ");
  const updated = await updateOrder(deps.store, link.orderId, (current) =>
    current.status !== "PENDING_VALIDATION"
      ? undefined
      : {
          changes: {
            validations: current.validations.map((v) => decided(v, link, decision, at, reason)),
          },
          event: noteEvent(
            now,
            "approval",
            decision === "approve"
              ? `${link.approver} approved ${names}.`
              : `${link.approver} declined ${names}${reason === undefined ? "" : `: ${reason.replace(/[.!?]+$/, "")}`}.`,
          ),
        },
  );
  const token = updated.waitToken;
  if (token !== undefined && updated.status === "PENDING_VALIDATION") {
    try {
      if (decision === "decline") {
        await deps.workflow.sendTaskFailure(
          token,
          "ApprovalDeclined",
          `${link.approver} declined ${names}${reason === undefined ? "" : `: ${reason}`}`,
        );
      } else if (allNamesPublished(updated.validations)) {
        await deps.workflow.sendTaskSuccess(token, { done: true, reason: "approved by email" });
      }
    } catch (error) {
      if (!(error instanceof TaskNotWaiting)) throw error;
    }
  }
  return { ok: true, view: approvalView(link, order) };
}
