import type { Result } from "./problems.ts";

const DAY_MS = 86_400_000;

interface ValidityStep {
  /** First instant (UTC) the step applies; undefined for the rule before ballot SC-081. */
  readonly from?: Date;
  readonly validityDays: number;
  readonly dnsReuseDays: number;
}

/** CA/Browser Forum ballot SC-081 (BR 1.2.2): maximum validity and DNS validation reuse. */
const VALIDITY_STEPS: readonly ValidityStep[] = [
  { from: new Date("2029-03-15T00:00:00Z"), validityDays: 47, dnsReuseDays: 10 },
  { from: new Date("2027-03-15T00:00:00Z"), validityDays: 100, dnsReuseDays: 100 },
  { from: new Date("2026-03-15T00:00:00Z"), validityDays: 200, dnsReuseDays: 200 },
];

const BEFORE_SC081: ValidityStep = { validityDays: 398, dnsReuseDays: 398 };

function stepAt(at: Date): ValidityStep {
  return VALIDITY_STEPS.find((step) => step.from !== undefined && at >= step.from) ?? BEFORE_SC081;
}

/** The longest validity a certificate issued at `at` may have, in days. */
export function maxValidityDays(at: Date): number {
  return stepAt(at).validityDays;
}

/** How long a DNS domain validation done at `at` may be reused, in days. */
export function dnsValidationReuseDays(at: Date): number {
  return stepAt(at).dnsReuseDays;
}

function ruleDescription(at: Date): string {
  const step = stepAt(at);
  const since =
    step.from === undefined ? "before 2026-03-15" : `from ${step.from.toISOString().slice(0, 10)}`;
  return `CA/Browser Forum ballot SC-081: at most ${step.validityDays} days for certificates issued ${since}`;
}

/** The validity to issue with: the requested one if allowed, else the maximum when none is asked. */
export function resolveValidityDays(requested: number | undefined, at: Date): Result<number> {
  const max = maxValidityDays(at);
  if (requested === undefined) return { ok: true, value: max, warnings: [] };
  const field = "validityDays";
  if (!Number.isInteger(requested) || requested < 1) {
    return {
      ok: false,
      problems: [
        {
          code: "VALIDITY_INVALID",
          message: `validityDays must be a whole number of days from 1 to ${max}; ${requested} is not.`,
          field,
        },
      ],
    };
  }
  if (requested > max) {
    return {
      ok: false,
      problems: [
        {
          code: "VALIDITY_TOO_LONG",
          message: `A certificate issued on ${at.toISOString().slice(0, 10)} may be valid for at most ${max} days (${ruleDescription(at)}); ${requested} days were asked. A longer plan is served by automatic reissues.`,
          field,
        },
      ],
    };
  }
  return { ok: true, value: requested, warnings: [] };
}

function isValidDate(date: Date): boolean {
  return !Number.isNaN(date.getTime());
}

/**
 * When to renew a certificate: at a point inside the CA's suggested renewal window (ACME ARI,
 * RFC 9773) when one is given, well formed and, if `now` is given, not yet over; otherwise after
 * two thirds of the lifetime. `random` (default: the middle) spreads renewals over the window.
 */
export function renewalTime(input: {
  notBefore: Date;
  notAfter: Date;
  suggestedWindow?: { start: Date; end: Date };
  now?: Date;
  random?: () => number;
}): Date {
  const window = input.suggestedWindow;
  const windowUsable =
    window !== undefined &&
    isValidDate(window.start) &&
    isValidDate(window.end) &&
    window.end > window.start &&
    (input.now === undefined || window.end > input.now);
  if (windowUsable) {
    const drawn = (input.random ?? (() => 0.5))();
    const fraction = Number.isFinite(drawn) ? Math.min(1, Math.max(0, drawn)) : 0.5;
    const span = window.end.getTime() - window.start.getTime();
    return new Date(window.start.getTime() + Math.floor(fraction * span));
  }
  const lifetime = input.notAfter.getTime() - input.notBefore.getTime();
  return new Date(input.notBefore.getTime() + Math.floor((lifetime * 2) / 3));
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}
