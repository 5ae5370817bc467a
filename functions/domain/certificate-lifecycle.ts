import type { OrderRecord } from "./order-record.ts";

/**
 * What an issued order's certificate needs next, and when: a renewal, a fresh look at the CA's
 * renewal window, an expiry notice, a second look at what its servers serve, or the end of the
 * certificate. The renewal index holds each issued order at the earliest of these times, so one
 * query finds everything due.
 */

/** Days before a certificate's notAfter at which its customer is told it will end unrenewed. */
export const EXPIRY_NOTICE_DAYS = [30, 7, 1] as const;

const DAY_MS = 86_400_000;

export type LifecycleView = Pick<
  OrderRecord,
  | "status"
  | "certificate"
  | "renewalOf"
  | "autoRenew"
  | "planEndsAt"
  | "renewal"
  | "installationRecheckAt"
>;

/**
 * Whether the current certificate will be replaced by a renewal: the order renews itself, and
 * its plan (if it has one) goes on more than a day past the certificate's end (the last
 * certificate of a plan ends with it, give or take the minutes a CA backdates notBefore).
 */
export function willRenew(order: LifecycleView): boolean {
  const certificate = order.certificate;
  if (certificate === undefined || order.autoRenew === false) return false;
  if (order.planEndsAt === undefined) return true;
  return Date.parse(certificate.notAfter) < Date.parse(order.planEndsAt) - DAY_MS;
}

/** Why the current certificate will not be renewed, in the customer's words; undefined if it will. */
export function whyNotRenewing(order: LifecycleView): string | undefined {
  if (order.certificate === undefined) return undefined;
  if (order.autoRenew === false) return "automatic renewal is off for this order";
  if (!willRenew(order)) return `the order's plan ends at ${order.planEndsAt ?? ""}`;
  if (order.renewal?.lastFailure !== undefined) {
    return `its renewal is failing (${order.renewal.lastFailure.code}: ${order.renewal.lastFailure.message})`;
  }
  return undefined;
}

/**
 * The expiry notices that apply: when no renewal will happen, or renewals are failing, the
 * customer hears at 30, 7 and 1 days before the end.
 */
function noticesApply(order: LifecycleView): boolean {
  return whyNotRenewing(order) !== undefined;
}

function noticeTime(notAfter: string, days: number): number {
  return Date.parse(notAfter) - days * DAY_MS;
}

/**
 * The expiry notice due at `now`, if any: the nearest mark passed and not yet mailed (marks
 * passed together give one notice, the nearest to the end).
 */
export function dueExpiryNotice(order: LifecycleView, now: Date): number | undefined {
  const certificate = order.certificate;
  if (certificate === undefined || !noticesApply(order)) return undefined;
  if (now.toISOString() >= certificate.notAfter) return undefined;
  const sent = order.renewal?.expiryNotices ?? [];
  const passed = EXPIRY_NOTICE_DAYS.filter(
    (days) => noticeTime(certificate.notAfter, days) <= now.getTime(),
  );
  const nearest = passed.at(-1);
  if (nearest === undefined || sent.includes(nearest)) return undefined;
  return nearest;
}

/** Marks recorded once the notice for `days` is mailed: it and every earlier mark. */
export function noticesAfterMailing(order: LifecycleView, days: number): number[] {
  const sent = new Set(order.renewal?.expiryNotices ?? []);
  for (const mark of EXPIRY_NOTICE_DAYS) if (mark >= days) sent.add(mark);
  return EXPIRY_NOTICE_DAYS.filter((mark) => sent.has(mark));
}

function nextExpiryNoticeAt(order: LifecycleView): number | undefined {
  const certificate = order.certificate;
  if (certificate === undefined || !noticesApply(order)) return undefined;
  const sent = order.renewal?.expiryNotices ?? [];
  const unsent = EXPIRY_NOTICE_DAYS.filter((days) => !sent.includes(days)).map((days) =>
    noticeTime(certificate.notAfter, days),
  );
  return unsent.length === 0 ? undefined : Math.min(...unsent);
}

/** Whether the CA's renewal window should be asked for again at `now`. */
export function renewalWindowDue(order: LifecycleView, now: Date): boolean {
  const window = order.certificate?.renewalWindow;
  return (
    window !== undefined && willRenew(order) && Date.parse(window.nextFetchAt) <= now.getTime()
  );
}

/** Whether the renewal itself is due at `now`. */
export function renewalDue(order: LifecycleView, now: Date): boolean {
  const certificate = order.certificate;
  return (
    certificate !== undefined &&
    willRenew(order) &&
    now.toISOString() < certificate.notAfter &&
    Date.parse(certificate.renewAt) <= now.getTime()
  );
}

/**
 * When the order is next due for the renewal run, or undefined when it is not in the renewal
 * index (not ISSUED, no certificate, or a renewal: its order renews, never the renewal).
 */
export function lifecycleDueAt(order: LifecycleView): string | undefined {
  const certificate = order.certificate;
  if (order.status !== "ISSUED" || certificate === undefined) return undefined;
  if (order.renewalOf !== undefined) return undefined;
  const times = [Date.parse(certificate.notAfter)];
  if (willRenew(order)) {
    times.push(Date.parse(certificate.renewAt));
    const window = certificate.renewalWindow;
    if (window !== undefined) times.push(Date.parse(window.nextFetchAt));
  }
  const notice = nextExpiryNoticeAt(order);
  if (notice !== undefined) times.push(notice);
  if (order.installationRecheckAt !== undefined) {
    times.push(Date.parse(order.installationRecheckAt));
  }
  const earliest = Math.min(...times.filter((time) => Number.isFinite(time)));
  return new Date(earliest).toISOString();
}

/**
 * How many days a certificate issued at `now` may last under a plan ending at `planEndsAt`
 * (undefined: no plan), at most `validityDays`: the last certificate of a plan ends with it.
 */
export function planValidityDays(
  validityDays: number,
  planEndsAt: string | undefined,
  now: Date,
): number {
  if (planEndsAt === undefined) return validityDays;
  const daysLeft = Math.ceil((Date.parse(planEndsAt) - now.getTime()) / DAY_MS);
  return Math.max(1, Math.min(validityDays, daysLeft));
}

/** When a plan of `months` months started at `start` ends (same day of month, UTC). */
export function planEnd(start: Date, months: number): Date {
  const end = new Date(start);
  const day = end.getUTCDate();
  end.setUTCDate(1);
  end.setUTCMonth(end.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(day, lastDay));
  return end;
}
