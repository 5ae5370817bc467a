import type { OrderRecord } from "../domain/order-record.ts";
import { plannedRenewal, type RenewalInfoAnswer } from "../domain/renewal-information.ts";
import type { CaDirectory } from "../ports/ca-directory.ts";
import { CaUnavailable } from "../ports/certificate-authority.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { noteEvent, updateOrder } from "./order-updates.ts";

export interface RenewalWindowDeps {
  readonly store: OrderStore;
  readonly caDirectory: CaDirectory;
  readonly random: () => number;
}

/**
 * Asks the CA for a certificate's renewal window (RFC 9773). An unreachable or refusing CA is
 * an answer (`failed`, with its reason, which names nothing internal); anything else throws.
 */
export async function askRenewalWindow(
  caDirectory: CaDirectory,
  certId: string,
): Promise<RenewalInfoAnswer & { readonly reason?: string }> {
  try {
    const window = await caDirectory.renewalWindow(certId);
    return window === undefined ? { kind: "not-offered" } : { kind: "window", window };
  } catch (error) {
    if (error instanceof CaUnavailable) return { kind: "failed", reason: error.message };
    throw error;
  }
}

/**
 * Asks the CA for the current certificate's renewal window again and records what it says: a
 * window that moved gives a new renewal time drawn inside it (already over: renew now), an
 * unchanged one keeps the time drawn before (see plannedRenewal). Returns the order as stored.
 */
export async function refreshRenewalWindow(
  deps: RenewalWindowDeps,
  order: OrderRecord,
  now: Date,
): Promise<OrderRecord> {
  const certificate = order.certificate;
  const window = certificate?.renewalWindow;
  if (certificate === undefined || window === undefined) return order;
  const answer = await askRenewalWindow(deps.caDirectory, window.certId);
  return updateOrder(deps.store, order.orderId, (current) => {
    const stored = current.certificate;
    if (stored?.serialNumber !== certificate.serialNumber || stored.renewalWindow === undefined) {
      return undefined;
    }
    const planned = plannedRenewal({
      certId: stored.renewalWindow.certId,
      notBefore: new Date(stored.notBefore),
      notAfter: new Date(stored.notAfter),
      answer,
      now,
      random: deps.random,
      previous: { renewAt: stored.renewAt, renewalWindow: stored.renewalWindow },
    });
    const { renewalWindow: _previous, ...rest } = stored;
    const updated = {
      ...rest,
      renewAt: planned.renewAt,
      ...(planned.renewalWindow === undefined ? {} : { renewalWindow: planned.renewalWindow }),
    };
    const moved =
      planned.renewalWindow?.start !== stored.renewalWindow.start ||
      planned.renewalWindow?.end !== stored.renewalWindow.end;
    const next = planned.renewalWindow;
    return {
      changes: { certificate: updated },
      ...(moved && answer.kind !== "failed"
        ? {
            event: noteEvent(
              now,
              "renewal",
              next?.start === undefined
                ? `The CA no longer suggests renewal windows; renewal planned for ${planned.renewAt}.`
                : `The CA suggests renewing between ${next.start} and ${next.end}${next.explanationUrl === undefined ? "" : ` (${next.explanationUrl})`}; renewal planned for ${planned.renewAt}.`,
            ),
          }
        : {}),
    };
  });
}
