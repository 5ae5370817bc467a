import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import type { ApprovalLinkRef, OrderRecord } from "../domain/order-record.ts";
import { approvalRequestMail } from "../mail/approval-mails.ts";
import type { ApprovalLink } from "../ports/approval-links.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { noteEvent, updateOrder } from "./order-updates.ts";

/** 256 bits: a link cannot be guessed, and says nothing about the order. */
const SECRET_BYTES = 32;

export function approvalLinkHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A link's secret as it appears in a URL: base64url, 43 characters. */
export function isApprovalSecret(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

export function approvalUrl(publicApiUrl: string, secret: string): string {
  return `${publicApiUrl}/v1/approvals/${secret}`;
}

/** The names each approver is asked to approve, for the names still waiting for approval. */
export function namesByApprover(order: OrderRecord): Map<string, string[]> {
  const byApprover = new Map<string, string[]>();
  for (const validation of order.validations) {
    if (validation.instructions.method !== "email") continue;
    if (validation.status !== "pending") continue;
    const approver = validation.instructions.approver;
    byApprover.set(approver, [...(byApprover.get(approver) ?? []), validation.domain]);
  }
  return byApprover;
}

export interface ApprovalRequestDeps {
  readonly store: OrderStore;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly settings: { readonly publicApiUrl: string };
}

/**
 * Mails each approver of the order's waiting names a new single-use link. With `replace`, an
 * approver's earlier link is dead from now on (a resend, a switched approver); without it, an
 * approver who has a link already is skipped (a rerun of the step after a stop). The link is
 * stored before the mail goes and recorded on the order after, so a stop in between mails a
 * second working link at worst, never none.
 */
export async function sendApprovalRequests(
  deps: ApprovalRequestDeps,
  order: OrderRecord,
  options: { readonly replace: boolean; readonly why: string },
): Promise<readonly string[]> {
  const mailed: string[] = [];
  for (const [approver, names] of namesByApprover(order)) {
    const earlier = order.approvalLinks?.find((link) => link.approver === approver);
    if (earlier !== undefined && !options.replace) continue;
    const now = deps.clock.now();
    const secret = randomBytes(SECRET_BYTES).toString("base64url");
    const link: ApprovalLink = {
      linkHash: approvalLinkHash(secret),
      orderId: order.orderId,
      tenantId: order.tenantId,
      approver,
      names,
      createdAt: now.toISOString(),
      validUntil: order.validationDeadline ?? now.toISOString(),
      state: "pending",
    };
    await deps.store.putApprovalLink(link);
    await deps.mailer.send(
      approvalRequestMail(order, {
        approver,
        names,
        url: approvalUrl(deps.settings.publicApiUrl, secret),
      }),
    );
    if (earlier !== undefined) {
      await deps.store.settleApprovalLink(earlier.linkHash, {
        state: "replaced",
        at: now.toISOString(),
      });
    }
    const ref: ApprovalLinkRef = { approver, linkHash: link.linkHash, sentAt: link.createdAt };
    await updateOrder(deps.store, order.orderId, (current) => ({
      changes: {
        approvalLinks: [
          ...(current.approvalLinks ?? []).filter((known) => known.approver !== approver),
          ref,
        ],
      },
      event: noteEvent(
        now,
        "mail",
        `${options.why} mailed to ${approver} for ${names.join(", ")}.`,
      ),
    }));
    mailed.push(approver);
  }
  return mailed;
}
