import { createHash } from "node:crypto";
import { planValidityDays } from "../domain/certificate-lifecycle.ts";
import type { Clock } from "../domain/clock.ts";
import type { LineageCertificate, OrderRecord, RenewalState } from "../domain/order-record.ts";
import { canTransition } from "../domain/order-status.ts";
import { maxValidityDays } from "../domain/validity-policy.ts";
import type { CertificateAuthority } from "../ports/certificate-authority.ts";
import { type OrderStore, VersionConflict } from "../ports/order-store.ts";
import { ExecutionAlreadyExists, type WorkflowEngine } from "../ports/workflow-engine.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";
import { lineageOf } from "./certificate-lineage.ts";
import { loadOrder, noteEvent, statusEvent, updateOrder } from "./order-updates.ts";
import { reviewForNewOrder } from "./organization-approvals.ts";

/**
 * Renewals: a renewal of an issued order is an order of its own (`renewalOf` the order), run by
 * the same workflow. The order stays ISSUED, its current certificate serving, while the renewal
 * runs; the renewal's certificate becomes the order's current one when it issues.
 */

export interface RenewalDeps {
  readonly store: OrderStore;
  readonly workflow: Pick<WorkflowEngine, "startExecution">;
  readonly vault: Pick<CertificateVault, "getCsr" | "putCsr">;
  readonly clock: Clock;
  readonly settings: WorkflowSettings;
}

export type RenewalStart =
  /** This call started the renewal. */
  | { readonly kind: "started"; readonly renewalId: string }
  /** A renewal was running already; it is made sure to be started. */
  | { readonly kind: "running"; readonly renewalId: string }
  | { readonly kind: "refused"; readonly code: string; readonly reason: string };

/**
 * The id of the renewal number `attempt` of the order's certificate `serial`: the same for every
 * caller, so two renewal runs racing make one renewal.
 */
export function renewalOrderId(orderId: string, serial: string, attempt: number): string {
  const digest = createHash("sha256").update(`${orderId}#${serial}#${attempt}`).digest("hex");
  return `ord_${digest.slice(0, 20)}`;
}

function refusal(code: string, reason: string): RenewalStart {
  return { kind: "refused", code, reason };
}

/**
 * Starts a renewal of `orderId` (the renewal run's, or a customer's), unless one is running:
 * claims it on the order first (a conditional write, so one of two racing callers claims it),
 * then writes the renewal order and starts its execution, both idempotent, so a caller that
 * stopped in between is completed by the next one.
 */
export async function startRenewal(
  deps: RenewalDeps,
  orderId: string,
  options: { readonly trigger: "scheduled" | "manual"; readonly rekey: boolean },
): Promise<RenewalStart> {
  const order = await loadOrder(deps.store, orderId);
  if (order.status !== "ISSUED" || order.certificate === undefined) {
    return refusal(
      "NOT_ISSUED",
      `Order ${orderId} is ${order.status}; only an issued order renews.`,
    );
  }
  if (order.renewalOf !== undefined) {
    return refusal(
      "IS_A_RENEWAL",
      `Order ${orderId} is a renewal of ${order.renewalOf}; renew that order instead.`,
    );
  }
  if (options.rekey && order.keySource.kind === "uploaded-csr") {
    return refusal(
      "REKEY_NEEDS_CSR",
      `Order ${orderId} was issued for your own CSR: the service does not hold its key, so it cannot make a new one. Order again with a new CSR.`,
    );
  }
  const now = deps.clock.now();
  if (order.planEndsAt !== undefined && now.toISOString() >= order.planEndsAt) {
    return refusal(
      "PLAN_ENDED",
      `Order ${orderId}'s plan ended at ${order.planEndsAt}; place a new order for these names.`,
    );
  }
  let claimed = false;
  const claimedOrder = await updateOrder(deps.store, orderId, (current) => {
    // Decided again after a racing write: only the attempt that writes claims.
    claimed = false;
    const certificate = current.certificate;
    if (current.status !== "ISSUED" || certificate === undefined) return undefined;
    if (current.renewal?.inFlight !== undefined) return undefined;
    const attempts = current.renewal?.attempts ?? 0;
    const renewalId = renewalOrderId(current.orderId, certificate.serialNumber, attempts);
    claimed = true;
    const renewal: RenewalState = {
      ...current.renewal,
      attempts: attempts + 1,
      inFlight: {
        orderId: renewalId,
        startedAt: now.toISOString(),
        trigger: options.trigger,
        rekey: options.rekey,
      },
    };
    return {
      changes: { renewal },
      event: noteEvent(
        now,
        "renewal",
        `Renewal ${renewalId} started (${options.trigger === "scheduled" ? "scheduled" : "by hand"}${options.rekey ? ", new key" : ", same key and CSR"}) to replace certificate ${certificate.serialNumber}.`,
      ),
    };
  });
  const inFlight = claimedOrder.renewal?.inFlight;
  if (inFlight === undefined) {
    return refusal(
      "NOT_ISSUED",
      `Order ${orderId} is ${claimedOrder.status}; only an issued order renews.`,
    );
  }
  await ensureRenewalStarted(deps, claimedOrder, inFlight);
  return claimed
    ? { kind: "started", renewalId: inFlight.orderId }
    : { kind: "running", renewalId: inFlight.orderId };
}

/** Writes the renewal order (unless written) and starts its execution (unless started). */
async function ensureRenewalStarted(
  deps: RenewalDeps,
  order: OrderRecord,
  inFlight: NonNullable<RenewalState["inFlight"]>,
): Promise<void> {
  const renewalId = inFlight.orderId;
  const now = deps.clock.now();
  if ((await deps.store.get(renewalId)) === undefined) {
    // Same key and CSR: the renewal's CSR is the current certificate's, held by the order or by
    // the renewal that issued it (a key the service made is copied from there when the renewal
    // prepares it); after a renewal with a new key, that renewal's.
    if (!inFlight.rekey) {
      const csr = await deps.vault.getCsr(lineageOf(order)[0]?.heldBy ?? order.orderId);
      if (csr !== undefined) await deps.vault.putCsr(renewalId, csr);
    }
    const review = await reviewForNewOrder(deps.store, order, deps.settings, now);
    const renewal: OrderRecord = {
      orderId: renewalId,
      tenantId: order.tenantId,
      status: "SUBMITTED",
      version: 0,
      product: order.product,
      names: order.names,
      method: order.method,
      ...(order.approverEmail === undefined ? {} : { approverEmail: order.approverEmail }),
      ...(order.approvers === undefined ? {} : { approvers: order.approvers }),
      keySource:
        inFlight.rekey && order.keySource.kind === "generated" ? order.keySource : order.keySource,
      contact: order.contact,
      ...(order.organization === undefined ? {} : { organization: order.organization }),
      ...(order.ev === undefined ? {} : { ev: order.ev }),
      ...(review === undefined ? {} : { review }),
      // As long as the order's, where today's rules still allow it, and never past its plan.
      validityDays: planValidityDays(
        Math.min(order.validityDays, maxValidityDays(now)),
        order.planEndsAt,
        now,
      ),
      ...(order.profile === undefined ? {} : { profile: order.profile }),
      ...(order.certificate?.renewalWindow === undefined
        ? {}
        : { replaces: order.certificate.renewalWindow.certId }),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      validations: [],
      executionName: `${renewalId}-1`,
      warnings: [],
      renewalOf: order.orderId,
      rekey: inFlight.rekey,
      ...(order.installationCheck === true ? { installationCheck: true } : {}),
    };
    try {
      await deps.store.create(renewal, {
        at: now.toISOString(),
        type: "status",
        status: "SUBMITTED",
        message: `Renewal of order ${order.orderId} (certificate ${order.certificate?.serialNumber ?? ""}).`,
      });
    } catch (error) {
      // A racing caller wrote the same renewal a moment before: it is there.
      if (!(error instanceof VersionConflict)) throw error;
    }
  }
  try {
    await deps.workflow.startExecution(`${renewalId}-1`, { orderId: renewalId });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
}

/**
 * The renewal issued: its certificate becomes the order's current one (the order's renewal
 * time moves with it), unless the order took it already or moved on.
 */
export async function promoteRenewal(
  store: OrderStore,
  renewal: OrderRecord,
  now: Date,
): Promise<void> {
  const parentId = renewal.renewalOf;
  const certificate = renewal.certificate;
  if (parentId === undefined || certificate === undefined) return;
  await updateOrder(store, parentId, (order) => {
    if (order.renewal?.inFlight?.orderId !== renewal.orderId) return undefined;
    if (order.status !== "ISSUED") return undefined;
    const previous = order.certificate;
    const lineage = lineageOf(order);
    const current: LineageCertificate = {
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      sha256Fingerprint: certificate.sha256Fingerprint,
      heldBy: renewal.orderId,
      ...(previous === undefined ? {} : { replaces: previous.serialNumber }),
    };
    return {
      changes: {
        certificate,
        certificates: [current, ...lineage],
        renewal: { attempts: 0 },
      },
      event: noteEvent(
        now,
        "renewal",
        `Renewed: certificate ${certificate.serialNumber} (renewal ${renewal.orderId}) replaces ${previous?.serialNumber ?? "none"}; next renewal planned for ${certificate.renewAt}.`,
      ),
    };
  });
}

/**
 * How long after a failed renewal the order is due again: half a day, so the daily run (which
 * the failure usually follows by minutes) takes it the next day, and the local hourly one sooner.
 */
const RETRY_AFTER_FAILURE_MS = 12 * 3_600_000;

/**
 * The renewal failed: the order keeps its certificate, says why, and is due again within a day
 * (before its certificate ends), so the next run tries again with a new renewal.
 */
export async function recordRenewalFailure(
  store: OrderStore,
  renewal: OrderRecord,
  now: Date,
): Promise<void> {
  const parentId = renewal.renewalOf;
  if (parentId === undefined) return;
  const failure = renewal.failure ?? { code: "INTERNAL", message: "The renewal failed." };
  await updateOrder(store, parentId, (order) => {
    if (order.renewal?.inFlight?.orderId !== renewal.orderId) return undefined;
    const certificate = order.certificate;
    const notAfter = certificate === undefined ? now.getTime() : Date.parse(certificate.notAfter);
    const retryAt = new Date(
      Math.max(
        now.getTime(),
        Math.min(now.getTime() + RETRY_AFTER_FAILURE_MS, notAfter - 3_600_000),
      ),
    );
    return {
      changes: {
        // Notices already mailed for this certificate stay mailed.
        renewal: {
          ...(order.renewal?.attempts === undefined ? {} : { attempts: order.renewal.attempts }),
          ...(order.renewal?.expiryNotices === undefined
            ? {}
            : { expiryNotices: order.renewal.expiryNotices }),
          lastFailure: { at: now.toISOString(), code: failure.code, message: failure.message },
        },
        ...(certificate === undefined
          ? {}
          : { certificate: { ...certificate, renewAt: retryAt.toISOString() } }),
      },
      event: noteEvent(
        now,
        "renewal",
        `Renewal ${renewal.orderId} failed (${failure.code}: ${failure.message}); the certificate still serves, and the next try is at ${retryAt.toISOString()}.`,
      ),
    };
  });
}

/**
 * Stops the order's renewal in flight for good (the order was revoked: it renews no more): the
 * renewal is CANCELLED, its execution stopped, its CA order given up, and the order no longer
 * waits for it. Stopping and giving up are best effort (logged): the renewal is CANCELLED
 * whatever they answer, so nothing makes its certificate current.
 */
export async function cancelRenewalInFlight(
  deps: {
    readonly store: OrderStore;
    readonly workflow: Pick<WorkflowEngine, "stopExecution">;
    readonly ca: Pick<CertificateAuthority, "abandon">;
    readonly clock: Clock;
    readonly logError: (error: unknown) => void;
  },
  order: OrderRecord,
  why: string,
): Promise<void> {
  const inFlight = order.renewal?.inFlight;
  if (inFlight === undefined) return;
  const now = deps.clock.now();
  const renewal = await deps.store.get(inFlight.orderId);
  if (renewal !== undefined) {
    const cancelled = await updateOrder(deps.store, renewal.orderId, (current) =>
      canTransition(current.status, "CANCELLED")
        ? {
            changes: { status: "CANCELLED", waitToken: undefined },
            event: statusEvent(now, "CANCELLED", `Renewal cancelled: ${why}.`),
          }
        : undefined,
    );
    if (cancelled.status === "CANCELLED") {
      try {
        if (cancelled.executionName !== undefined) {
          await deps.workflow.stopExecution(cancelled.executionName, `Renewal cancelled: ${why}.`);
        }
        if (cancelled.caOrderRef !== undefined) await deps.ca.abandon(cancelled.caOrderRef);
      } catch (error) {
        deps.logError(error);
      }
    }
  }
  await updateOrder(deps.store, order.orderId, (current) => {
    if (current.renewal?.inFlight?.orderId !== inFlight.orderId) return undefined;
    const { inFlight: _stopped, ...rest } = current.renewal;
    return {
      changes: { renewal: rest },
      event: noteEvent(now, "renewal", `Renewal ${inFlight.orderId} cancelled: ${why}.`),
    };
  });
}
