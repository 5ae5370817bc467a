import { mapWithConcurrency } from "../domain/bounded-concurrency.ts";
import {
  dueExpiryNotice,
  lifecycleDueAt,
  noticesAfterMailing,
  renewalDue,
  renewalWindowDue,
  whyNotRenewing,
} from "../domain/certificate-lifecycle.ts";
import type { OrderRecord } from "../domain/order-record.ts";
import { STATUS_KIND } from "../domain/order-status.ts";
import { createTokenBucket, type TokenBucket } from "../domain/token-bucket.ts";
import { expiringMail } from "../mail/lifecycle-mails.ts";
import { expiredMail } from "../mail/order-mails.ts";
import type { CaDirectory } from "../ports/ca-directory.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore, RenewalIndexPosition } from "../ports/order-store.ts";
import type { InstallationCheckDependencies } from "./installation-checks.ts";
import { recheckInstallation } from "./installation-recheck.ts";
import { loadOrder, noteEvent, statusEvent, updateOrder } from "./order-updates.ts";
import { refreshRenewalWindow } from "./renewal-windows.ts";
import {
  promoteRenewal,
  type RenewalDeps,
  recordRenewalFailure,
  startRenewal,
} from "./renewals.ts";

/** Due orders the operators' run (POST /v1/renewal-runs) takes on; the rest wait for the next. */
export const RENEWAL_RUN_LIMIT = 5_000;

/** Due orders read from the renewal index at a time (README, "Scale"). */
export const RENEWAL_BATCH_SIZE = 500;

/** Due orders handled at once: each is a few short store calls and one StartExecution. */
const RENEWALS_AT_ONCE = 16;

/**
 * Renewals a run starts per second, all its workers together. Each renewal mails its customer
 * within seconds ("Certificate renewed"): with the run's own mails below, the run keeps under
 * SES's production sending rate of 14 a second, and far under Step Functions' StartExecution
 * and state-transition refills in every region (README, "Scale").
 */
export const RENEWAL_STARTS_PER_SECOND = 10;

/** Mails the run sends itself per second (expiry notices, EXPIRED, stale installations). */
export const RENEWAL_MAILS_PER_SECOND = 4;

/**
 * Due orders a run settles per second, all its workers together: with the renewals' own
 * updates, a tenant holding every due order stays under one partition's 1,000 write units a
 * second in the ByTenant index (README, "Scale").
 */
export const RENEWAL_ORDERS_PER_SECOND = 40;

/** No batch is begun with less time than this left; the rest is continued elsewhere. */
export const RENEWAL_BATCH_RESERVE_MS = 120_000;

/** Errors of a throttled call, by name (SES says Throttling or TooManyRequestsException), and how often a call is tried after one. */
const THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "Throttling",
  "RequestLimitExceeded",
]);
const THROTTLED_ATTEMPTS = 6;

export interface RenewalRunOptions {
  /** Most due orders taken (all that are due when absent). */
  readonly limit?: number;
  /** Only this shard of the renewal index. */
  readonly shard?: number;
  /** Only orders after this position of the index (where an earlier part of the run ended). */
  readonly after?: RenewalIndexPosition;
  readonly batchSize?: number;
  readonly startsPerSecond?: number;
  readonly ordersPerSecond?: number;
  readonly mailsPerSecond?: number;
  /** Milliseconds the run has left; it begins no batch with less than the reserve. */
  readonly timeLeftMs?: () => number;
}

export interface RenewalRunCounts {
  /** Orders the renewal index gave as due. */
  readonly due: number;
  /** Renewals this run started. */
  readonly started: number;
  /** Renewals running already (started by an earlier or a racing run), made sure to run. */
  readonly running: number;
  /** Orders whose certificate ended with no renewal to replace it: now EXPIRED. */
  readonly expired: number;
  /** Customers told their certificate ends in 30, 7 or 1 days with no renewal coming. */
  readonly notified: number;
  /** Certificates whose renewal window the CA was asked for again (ACME Renewal Information). */
  readonly windowsRefreshed: number;
  /** Renewed orders whose servers were checked again at the end of the grace period. */
  readonly installationRechecks: number;
  /** Due orders left as they are (nothing due after all; or refused, see the history). */
  readonly skipped: number;
  /** Due orders whose handling failed (a store, CA or engine error): the next run tries again. */
  readonly failed: number;
}

/** A run's counts before it has settled anything. */
export function noRenewalCounts(): { -readonly [Count in keyof RenewalRunCounts]: number } {
  return {
    due: 0,
    started: 0,
    running: 0,
    expired: 0,
    notified: 0,
    windowsRefreshed: 0,
    installationRechecks: 0,
    skipped: 0,
    failed: 0,
  };
}

export interface RenewalRunResult extends RenewalRunCounts {
  /** Set when the run stopped for lack of time: what is still to do (after a position, if any). */
  readonly rest?: { readonly after?: RenewalIndexPosition };
}

/** Real time for pacing; tests give their own. */
export interface Pacing {
  readonly nowMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const REAL_TIME: Pacing = {
  nowMs: () => performance.now(),
  sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))),
};

export interface RenewalRunDeps extends RenewalDeps {
  readonly mailer: Mailer;
  /**
   * What looks at renewed orders' servers again when their grace period ends
   * (`installationRecheckAt`); without it, such orders are left for a run that has it.
   */
  readonly installationChecks?: Pick<
    InstallationCheckDependencies,
    "installationChecker" | "vault"
  >;
  /** The CA's renewal windows, when the deployment's CA publishes them. */
  readonly caDirectory?: CaDirectory;
  /** Spreads renewals over the CA's window (default Math.random). */
  readonly random?: () => number;
  readonly logError?: (error: unknown) => void;
  readonly pacing?: Pacing;
}

type Outcome = "started" | "running" | "expired" | "notified" | "installationRechecks" | "skipped";

/**
 * One renewal run at `now`: the renewal index gives the orders due (never a table scan), a
 * batch at a time, and each gets what is due for it: a fresh renewal window from the CA, a
 * renewal (started once, however many runs race), an expiry notice, or — its certificate ended
 * with nothing to replace it — the EXPIRED status and a mail. Renewals start at a bounded rate;
 * the run reads on after the last order of each batch until none is due, `limit` are taken, or
 * its time runs short (then `rest` says where to go on).
 */
export async function runRenewals(
  deps: RenewalRunDeps,
  now: Date,
  options: RenewalRunOptions = {},
): Promise<RenewalRunResult> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? RENEWAL_BATCH_SIZE;
  const pacing = deps.pacing ?? REAL_TIME;
  const ordersPerSecond = options.ordersPerSecond ?? RENEWAL_ORDERS_PER_SECOND;
  const orderTokens = createTokenBucket({
    ratePerSecond: ordersPerSecond,
    burst: Math.max(1, Math.min(RENEWALS_AT_ONCE, ordersPerSecond)),
    nowMs: pacing.nowMs,
  });
  const startsPerSecond = options.startsPerSecond ?? RENEWAL_STARTS_PER_SECOND;
  const mailsPerSecond = options.mailsPerSecond ?? RENEWAL_MAILS_PER_SECOND;
  const mailTokens = createTokenBucket({
    ratePerSecond: mailsPerSecond,
    burst: Math.max(1, Math.min(RENEWALS_AT_ONCE, mailsPerSecond)),
    nowMs: pacing.nowMs,
  });
  const paced: RenewalRunDeps = {
    ...deps,
    mailer: {
      send: (message) => throttled(() => deps.mailer.send(message), mailTokens, pacing),
    },
    workflow: pacedStarts(
      deps.workflow,
      createTokenBucket({
        ratePerSecond: startsPerSecond,
        burst: Math.max(1, Math.min(RENEWALS_AT_ONCE, startsPerSecond)),
        nowMs: pacing.nowMs,
      }),
      pacing,
    ),
  };
  const counts = noRenewalCounts();
  let after = options.after;
  const timeShort = () =>
    options.timeLeftMs !== undefined && options.timeLeftMs() < RENEWAL_BATCH_RESERVE_MS;
  const positionOf = (order: OrderRecord): RenewalIndexPosition => ({
    // The index's copy names the position it was read at, whatever the order became since.
    dueAt: lifecycleDueAt(order) ?? now.toISOString(),
    orderId: order.orderId,
  });
  while (counts.due < limit) {
    if (timeShort()) return { ...counts, rest: { after } };
    const take = Math.min(batchSize, limit - counts.due);
    const batch = await deps.store.dueForRenewal(now.toISOString(), take, {
      shard: options.shard,
      after,
    });
    // Orders are begun in the batch's order; once time runs short none is begun, so those
    // before the first left out are all settled, and the rest goes on after them.
    let leftOutFrom: number | undefined;
    await mapWithConcurrency(batch, RENEWALS_AT_ONCE, async (indexed, index) => {
      const leaveOut = () => leftOutFrom !== undefined || timeShort();
      // Checked before waiting for a token too: orders left out must not queue on the bucket,
      // or draining it outlasts the time the worker has left to hand the rest on.
      if (leaveOut()) {
        leftOutFrom = Math.min(leftOutFrom ?? index, index);
        return;
      }
      await pacing.sleep(orderTokens.take());
      if (leaveOut()) {
        leftOutFrom = Math.min(leftOutFrom ?? index, index);
        return;
      }
      counts.due += 1;
      try {
        const outcomes = await handleDueOrder(paced, indexed, now, () => {
          counts.windowsRefreshed += 1;
        });
        if (outcomes.length === 0) counts.skipped += 1;
        for (const outcome of outcomes) counts[outcome] += 1;
      } catch (error) {
        // One order's trouble does not stop the run; the order is still due for the next one.
        counts.failed += 1;
        deps.logError?.(error);
      }
    });
    if (leftOutFrom !== undefined) {
      const lastSettled = batch[leftOutFrom - 1];
      return {
        ...counts,
        rest: { after: lastSettled === undefined ? after : positionOf(lastSettled) },
      };
    }
    const last = batch.at(-1);
    if (batch.length < take || last === undefined) break;
    after = positionOf(last);
  }
  return counts;
}

/** Starts at most the bucket's rate; a start the engine throttled is tried again after a pause. */
function pacedStarts(
  engine: RenewalDeps["workflow"],
  bucket: TokenBucket,
  pacing: Pacing,
): RenewalDeps["workflow"] {
  return {
    startExecution: (name, input) =>
      throttled(() => engine.startExecution(name, input), bucket, pacing),
  };
}

/** Calls at most the bucket's rate; a call refused as throttled (by name) is tried again. */
async function throttled<T>(call: () => Promise<T>, bucket: TokenBucket, pacing: Pacing) {
  for (let attempt = 1; ; attempt++) {
    await pacing.sleep(bucket.take());
    try {
      return await call();
    } catch (error) {
      const refused = error instanceof Error && THROTTLING_ERRORS.has(error.name);
      if (!refused || attempt >= THROTTLED_ATTEMPTS) throw error;
      await pacing.sleep(Math.min(20_000, 250 * 2 ** attempt));
    }
  }
}

async function handleDueOrder(
  deps: RenewalRunDeps,
  indexed: OrderRecord,
  now: Date,
  windowRefreshed: () => void,
): Promise<Outcome[]> {
  // The index may answer an older copy: what is due is decided on the order as stored.
  let order = await settleEndedRenewal(
    deps.store,
    await loadOrder(deps.store, indexed.orderId),
    now,
  );
  const certificate = order.certificate;
  if (order.status !== "ISSUED" || certificate === undefined) return [];
  const outcomes: Outcome[] = [];
  if (now.toISOString() >= certificate.notAfter) {
    if (order.renewal?.inFlight === undefined && (await markExpired(deps, order, now))) {
      outcomes.push("expired");
    }
    return outcomes;
  }
  // After a renewal whose check found an old certificate served, the grace period has ended.
  const recheckAt = order.installationRecheckAt;
  if (
    deps.installationChecks !== undefined &&
    recheckAt !== undefined &&
    recheckAt <= now.toISOString()
  ) {
    const recheck = await recheckInstallation(
      // The checker and vault of the installation checks, with the run's paced mailer.
      { ...deps, ...deps.installationChecks, mailer: deps.mailer },
      order.orderId,
      now,
    );
    if (recheck.kind === "installed" || recheck.kind === "stale") {
      outcomes.push("installationRechecks");
    }
  }
  if (deps.caDirectory !== undefined && renewalWindowDue(order, now)) {
    order = await refreshRenewalWindow(
      { store: deps.store, caDirectory: deps.caDirectory, random: deps.random ?? Math.random },
      order,
      now,
    );
    windowRefreshed();
  }
  if (renewalDue(order, now) || order.renewal?.inFlight !== undefined) {
    const start = await startRenewal(deps, order.orderId, { trigger: "scheduled", rekey: false });
    if (start.kind === "started" || start.kind === "running") outcomes.push(start.kind);
  }
  if (await sendExpiryNotice(deps, order.orderId, now)) outcomes.push("notified");
  return outcomes;
}

/** Marks the order EXPIRED and mails it; false when a racing run did, or it no longer applies. */
async function markExpired(deps: RenewalRunDeps, order: OrderRecord, now: Date): Promise<boolean> {
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
  if (marked) await deps.mailer.send(expiredMail(expiredOrder));
  return marked;
}

/**
 * A renewal in flight whose own order has ended (its execution stopped without reporting
 * back, say) is settled as the workflow would have: its certificate promoted, or its failure
 * recorded, so the order renews again or expires instead of waiting on it forever.
 */
async function settleEndedRenewal(
  store: OrderStore,
  order: OrderRecord,
  now: Date,
): Promise<OrderRecord> {
  const inFlight = order.renewal?.inFlight;
  if (inFlight === undefined) return order;
  const renewal = await store.get(inFlight.orderId);
  if (renewal === undefined || STATUS_KIND[renewal.status] !== "final") return order;
  if (renewal.status === "ISSUED") await promoteRenewal(store, renewal, now);
  else await recordRenewalFailure(store, renewal, now);
  return loadOrder(store, order.orderId);
}

/** A claim on sending a notice older than this was left by a run that stopped: send again. */
const NOTICE_CLAIM_MS = 15 * 60_000;

/**
 * Mails the expiry notice due (30, 7 or 1 days before the end, when no renewal will replace the
 * certificate): claimed on the order first (of two racing runs, one mails), then mailed, then
 * recorded. A run that stops after claiming leaves the claim, which a later run takes over:
 * the notice goes once more rather than never.
 */
async function sendExpiryNotice(
  deps: RenewalRunDeps,
  orderId: string,
  now: Date,
): Promise<boolean> {
  let claimed: { days: number; reason: string } | undefined;
  const order = await updateOrder(deps.store, orderId, (current) => {
    claimed = undefined;
    const days = dueExpiryNotice(current, now);
    const reason = whyNotRenewing(current);
    if (days === undefined || reason === undefined) return undefined;
    const claim = current.renewal?.expiryNoticeClaim;
    if (claim !== undefined && now.getTime() - Date.parse(claim.at) < NOTICE_CLAIM_MS) {
      return undefined;
    }
    claimed = { days, reason };
    return {
      changes: {
        renewal: { ...current.renewal, expiryNoticeClaim: { days, at: now.toISOString() } },
      },
    };
  });
  if (claimed === undefined) return false;
  const { days, reason } = claimed;
  const daysLeft = Math.max(
    1,
    Math.ceil((Date.parse(order.certificate?.notAfter ?? "") - now.getTime()) / 86_400_000),
  );
  await deps.mailer.send(expiringMail(order, daysLeft, reason));
  const serial = order.certificate?.serialNumber;
  await updateOrder(deps.store, orderId, (current) => {
    if (current.certificate?.serialNumber !== serial) return undefined;
    const { expiryNoticeClaim: _claim, ...renewal } = current.renewal ?? {};
    return {
      changes: { renewal: { ...renewal, expiryNotices: noticesAfterMailing(current, days) } },
      event: noteEvent(
        now,
        "expiry_notice",
        `Told the customer the certificate ${serial ?? ""} ends in ${daysLeft} day${daysLeft === 1 ? "" : "s"} with no renewal coming: ${reason}.`,
      ),
    };
  });
  return true;
}
