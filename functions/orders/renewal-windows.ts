import { nextWindowFetchAt, renewalTimeInWindow } from "../domain/certificate-lifecycle.ts";
import type { OrderRecord, RenewalWindowRecord } from "../domain/order-record.ts";
import type { CaDirectory } from "../ports/ca-directory.ts";
import type { OrderStore } from "../ports/order-store.ts";
import { noteEvent, updateOrder } from "./order-updates.ts";

export interface RenewalWindowDeps {
  readonly store: OrderStore;
  readonly caDirectory: CaDirectory;
  readonly random: () => number;
}

/**
 * Asks the CA for the current certificate's renewal window again (RFC 9773) and records it.
 * A window that moved gives a new renewal time drawn inside it (already over: renew now); an
 * unchanged one keeps the time drawn before. Returns the order as stored afterwards.
 */
export async function refreshRenewalWindow(
  deps: RenewalWindowDeps,
  order: OrderRecord,
  now: Date,
): Promise<OrderRecord> {
  const certificate = order.certificate;
  const window = certificate?.renewalWindow;
  if (certificate === undefined || window === undefined) return order;
  const answer = await deps.caDirectory.renewalWindow(window.certId);
  return updateOrder(deps.store, order.orderId, (current) => {
    const stored = current.certificate;
    if (stored?.serialNumber !== certificate.serialNumber || stored.renewalWindow === undefined) {
      return undefined;
    }
    if (answer === undefined) {
      // The CA no longer offers windows: the renewal time drawn earlier stands.
      const renewalWindow: RenewalWindowRecord = {
        ...stored.renewalWindow,
        nextFetchAt: nextWindowFetchAt(now, undefined).toISOString(),
      };
      return { changes: { certificate: { ...stored, renewalWindow } } };
    }
    const start = answer.start.toISOString();
    const end = answer.end.toISOString();
    const moved = start !== stored.renewalWindow.start || end !== stored.renewalWindow.end;
    const renewAt = moved
      ? renewalTimeInWindow(answer, now, deps.random).toISOString()
      : stored.renewAt;
    const renewalWindow: RenewalWindowRecord = {
      certId: stored.renewalWindow.certId,
      start,
      end,
      ...(answer.explanationUrl === undefined ? {} : { explanationUrl: answer.explanationUrl }),
      nextFetchAt: nextWindowFetchAt(now, answer.retryAfterSeconds).toISOString(),
    };
    return {
      changes: { certificate: { ...stored, renewAt, renewalWindow } },
      ...(moved
        ? {
            event: noteEvent(
              now,
              "renewal",
              `The CA suggests renewing between ${start} and ${end}${answer.explanationUrl === undefined ? "" : ` (${answer.explanationUrl})`}; renewal planned for ${renewAt}.`,
            ),
          }
        : {}),
    };
  });
}
