import { mapWithConcurrency } from "../domain/bounded-concurrency.ts";
import { expiredMail } from "../mail/order-mails.ts";
import type { Mailer } from "../ports/mailer.ts";
import { statusEvent, updateOrder } from "./order-updates.ts";
import { type RenewalDeps, startRenewal } from "./renewals.ts";

/** Due orders one run takes on; a run with more due leaves the rest to the next run. */
export const RENEWAL_RUN_LIMIT = 5_000;

/** Due orders handled at once: each is a few short store calls and one StartExecution. */
const RENEWALS_AT_ONCE = 16;

export interface RenewalRunCounts {
  /** Orders the renewal index gave as due. */
  readonly due: number;
  /** Renewals this run started. */
  readonly started: number;
  /** Renewals running already (started by an earlier or a racing run), made sure to run. */
  readonly running: number;
  /** Orders whose certificate ended with no renewal to replace it: now EXPIRED. */
  readonly expired: number;
  /** Due orders left as they are (not renewing, not ended yet; or refused, see the history). */
  readonly skipped: number;
  /** Due orders whose handling failed (a store or engine error): the next run tries again. */
  readonly failed: number;
}

/**
 * One renewal run at `now`: the renewal index gives the due orders (never a table scan); each
 * that renews itself gets a renewal (started once, however many runs race), and each whose
 * certificate ended with nothing to replace it becomes EXPIRED, and its customer is told.
 */
export async function runRenewals(
  deps: RenewalDeps & { readonly mailer: Mailer; readonly logError?: (error: unknown) => void },
  now: Date,
  limit = RENEWAL_RUN_LIMIT,
): Promise<RenewalRunCounts> {
  const due = await deps.store.dueForRenewal(now.toISOString(), limit);
  let started = 0;
  let running = 0;
  let expired = 0;
  let skipped = 0;
  let failed = 0;
  await mapWithConcurrency(due, RENEWALS_AT_ONCE, async (order) => {
    try {
      await handle(order);
    } catch (error) {
      // One order's trouble does not stop the run; the order is still due for the next one.
      failed += 1;
      deps.logError?.(error);
    }
  });
  async function handle(order: (typeof due)[number]): Promise<void> {
    const certificate = order.certificate;
    if (certificate === undefined) return;
    const ended = now.toISOString() >= certificate.notAfter;
    const renewing = order.renewal?.inFlight !== undefined;
    if (order.autoRenew !== false && !ended) {
      const start = await startRenewal(deps, order.orderId, { trigger: "scheduled", rekey: false });
      if (start.kind === "started") started += 1;
      else if (start.kind === "running") running += 1;
      else skipped += 1;
      return;
    }
    if (ended && !renewing) {
      // Decided again on the order as stored: the index may answer an older copy, and a racing
      // run may have marked it already (only the run that writes counts it and mails).
      let marked = false;
      const expiredOrder = await updateOrder(deps.store, order.orderId, (current) => {
        marked = false;
        const currentCertificate = current.certificate;
        if (
          current.status !== "ISSUED" ||
          current.renewal?.inFlight !== undefined ||
          currentCertificate === undefined ||
          now.toISOString() < currentCertificate.notAfter
        ) {
          return undefined;
        }
        marked = true;
        return {
          changes: { status: "EXPIRED" },
          event: statusEvent(
            now,
            "EXPIRED",
            `Certificate ${currentCertificate.serialNumber} ended at ${currentCertificate.notAfter}, with no renewal to replace it.`,
          ),
        };
      });
      if (marked) {
        expired += 1;
        await deps.mailer.send(expiredMail(expiredOrder));
      } else {
        skipped += 1;
      }
      return;
    }
    skipped += 1;
  }
  return { due: due.length, started, running, expired, skipped, failed };
}
