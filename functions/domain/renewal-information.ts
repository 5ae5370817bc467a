import type { RenewalWindowRecord } from "./order-record.ts";
import { renewalTime } from "./validity-policy.ts";

/**
 * ACME Renewal Information (RFC 9773): how a certificate is named to the CA (its CertID), how
 * often the CA's suggested renewal window is asked for, and when to renew from what it answers.
 */

/** RFC 9773 §4.1: base64url(authority key identifier) "." base64url(serial number's DER content). */
export function ariCertId(keyIdentifier: Uint8Array, serialNumberContent: Uint8Array): string {
  if (keyIdentifier.length === 0 || serialNumberContent.length === 0) {
    throw new RangeError("An ARI CertID needs a key identifier and a serial number.");
  }
  const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  return `${encode(keyIdentifier)}.${encode(serialNumberContent)}`;
}

/** Whether `text` has a CertID's shape: two unpadded base64url parts joined by a dot. */
export function isAriCertId(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text);
}

/**
 * RFC 9773 §4.3: the CA's Retry-After says when to ask again. Values under a minute count as a
 * minute, over a day as a day; without a usable one, ask again in six hours.
 */
export const RENEWAL_INFO_RETRY = {
  minimumSeconds: 60,
  maximumSeconds: 86_400,
  defaultSeconds: 6 * 3_600,
} as const;

/** After the CA could not be asked (no answer, an error, a malformed window): an hour. */
export const RENEWAL_INFO_FAILURE_RETRY_SECONDS = 3_600;

/** The pause before asking for a window again, from the CA's Retry-After in seconds. */
export function renewalInfoRetrySeconds(retryAfterSeconds: number | undefined): number {
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds)) {
    return RENEWAL_INFO_RETRY.defaultSeconds;
  }
  return Math.min(
    RENEWAL_INFO_RETRY.maximumSeconds,
    Math.max(RENEWAL_INFO_RETRY.minimumSeconds, Math.ceil(retryAfterSeconds)),
  );
}

const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The pause before asking for a window again, from the Retry-After header of the CA's answer:
 * delay-seconds or an HTTP date (IMF-fixdate, RFC 9110 §10.2.3), limited as
 * renewalInfoRetrySeconds limits it; anything else counts as no Retry-After.
 */
export function renewalInfoRetryAfter(header: string | undefined, now: Date): number {
  const value = header?.trim() ?? "";
  if (/^\d{1,12}$/.test(value)) return renewalInfoRetrySeconds(Number(value));
  if (HTTP_DATE.test(value)) {
    const at = Date.parse(value);
    if (Number.isFinite(at)) return renewalInfoRetrySeconds((at - now.getTime()) / 1000);
  }
  return renewalInfoRetrySeconds(undefined);
}

/** The window a CA suggested (RFC 9773 `suggestedWindow`), with what came with it. */
export interface SuggestedWindow {
  readonly start: Date;
  readonly end: Date;
  readonly explanationUrl?: string;
  readonly retryAfterSeconds?: number;
}

/** What asking the CA for a certificate's window gave. */
export type RenewalInfoAnswer =
  | { readonly kind: "window"; readonly window: SuggestedWindow }
  /** The CA publishes no renewal information (no `renewalInfo` in its directory). */
  | { readonly kind: "not-offered" }
  /** No usable answer: the CA was unreachable, refused, or answered something malformed. */
  | { readonly kind: "failed" };

/** A window RFC 9773 §4.2 lets a client use: real times, its end after its start. */
export function isUsableWindow(window: SuggestedWindow): boolean {
  const start = window.start.getTime();
  const end = window.end.getTime();
  return Number.isFinite(start) && Number.isFinite(end) && end > start;
}

export interface PlannedRenewal {
  /** When to renew (ISO). */
  readonly renewAt: string;
  /** What to keep of the CA's window; absent when the CA offers none. */
  readonly renewalWindow?: RenewalWindowRecord;
}

/**
 * When to renew a certificate, and what to record of the CA's window, after asking the CA.
 *
 * A usable window: a time drawn at random inside it (RFC 9773 §4.2); a time already past means
 * renew now. When the window is the one recorded before and the time drawn then is still inside
 * it, that time is kept: asking again does not move the renewal. The next ask is due after the
 * CA's Retry-After (clamped, see RENEWAL_INFO_RETRY).
 *
 * No usable answer: what was recorded stays (or two thirds of the lifetime at issuance), and
 * the CA is asked again in an hour. A CA that offers no windows: two thirds of the lifetime
 * (or what was recorded), and no window kept.
 */
export function plannedRenewal(input: {
  readonly certId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly answer: RenewalInfoAnswer;
  readonly now: Date;
  readonly random: () => number;
  /** What was recorded for the certificate before (a later ask), if anything. */
  readonly previous?: { readonly renewAt: string; readonly renewalWindow?: RenewalWindowRecord };
}): PlannedRenewal {
  const { certId, now, previous } = input;
  const lifetimeRenewal = () =>
    previous?.renewAt ??
    renewalTime({ notBefore: input.notBefore, notAfter: input.notAfter }).toISOString();
  const answer = input.answer;
  if (answer.kind === "not-offered") return { renewAt: lifetimeRenewal() };
  if (answer.kind === "failed" || !isUsableWindow(answer.window)) {
    const nextFetchAt = new Date(now.getTime() + RENEWAL_INFO_FAILURE_RETRY_SECONDS * 1000);
    const kept = previous?.renewalWindow;
    return {
      renewAt: lifetimeRenewal(),
      renewalWindow: {
        ...(kept?.certId === certId ? kept : {}),
        certId,
        nextFetchAt: nextFetchAt.toISOString(),
      },
    };
  }
  const window = answer.window;
  const start = window.start.toISOString();
  const end = window.end.toISOString();
  const retrySeconds = renewalInfoRetrySeconds(window.retryAfterSeconds);
  const renewalWindow: RenewalWindowRecord = {
    certId,
    start,
    end,
    ...(window.explanationUrl === undefined ? {} : { explanationUrl: window.explanationUrl }),
    nextFetchAt: new Date(now.getTime() + retrySeconds * 1000).toISOString(),
  };
  const sameWindow =
    previous?.renewalWindow?.certId === certId &&
    previous.renewalWindow.start === start &&
    previous.renewalWindow.end === end &&
    previous.renewAt >= start &&
    previous.renewAt <= end;
  if (sameWindow) return { renewAt: previous.renewAt, renewalWindow };
  const drawn = renewalTime({
    notBefore: input.notBefore,
    notAfter: input.notAfter,
    suggestedWindow: { start: window.start, end: window.end },
    random: input.random,
  });
  const renewAt = drawn.getTime() < now.getTime() ? now : drawn;
  return { renewAt: renewAt.toISOString(), renewalWindow };
}
