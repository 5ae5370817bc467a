import type { Problem, Result } from "./problems.ts";

const DAY_MS = 86_400_000;

/** CA/Browser Forum ballot SC-081: maximum validity and DNS validation reuse, by date. */
const VALIDITY_STEPS = [
  { from: new Date("2029-03-15T00:00:00Z"), validityDays: 47, dnsReuseDays: 10 },
  { from: new Date("2027-03-15T00:00:00Z"), validityDays: 100, dnsReuseDays: 100 },
  { from: new Date("2026-03-15T00:00:00Z"), validityDays: 200, dnsReuseDays: 200 },
] as const;

const BEFORE_SC081 = { validityDays: 398, dnsReuseDays: 398 };

function stepAt(at: Date) {
  return VALIDITY_STEPS.find((step) => at >= step.from) ?? BEFORE_SC081;
}

export function maxValidityDays(at: Date): number {
  return stepAt(at).validityDays;
}

export function dnsValidationReuseDays(at: Date): number {
  return stepAt(at).dnsReuseDays;
}

export function resolveValidityDays(requested: number | undefined, at: Date): Result<number> {
  const max = maxValidityDays(at);
  if (requested === undefined) return { ok: true, value: max, warnings: [] };
  const field = "validityDays";
  if (!Number.isInteger(requested) || requested < 1) {
    const problem: Problem = {
      code: "VALIDITY_INVALID",
      message: "validityDays must be a whole number of days, at least 1.",
      field,
    };
    return { ok: false, problems: [problem] };
  }
  if (requested > max) {
    return {
      ok: false,
      problems: [
        {
          code: "VALIDITY_TOO_LONG",
          message: `Certificates issued on ${at.toISOString().slice(0, 10)} may be valid for at most ${max} days (CA/Browser Forum rules); a longer plan is served by automatic reissues.`,
          field,
        },
      ],
    };
  }
  return { ok: true, value: requested, warnings: [] };
}

/**
 * When to renew: inside the CA's suggested window (ARI) when it gives one that is still ahead,
 * else after two thirds of the lifetime.
 */
export function renewalTime(input: {
  notBefore: Date;
  notAfter: Date;
  suggestedWindow?: { start: Date; end: Date };
  now?: Date;
  random?: () => number;
}): Date {
  const window = input.suggestedWindow;
  if (
    window !== undefined &&
    window.end > window.start &&
    (input.now === undefined || window.end > input.now)
  ) {
    const random = input.random ?? (() => 0.5);
    const span = window.end.getTime() - window.start.getTime();
    return new Date(window.start.getTime() + Math.floor(random() * span));
  }
  const lifetime = input.notAfter.getTime() - input.notBefore.getTime();
  return new Date(input.notBefore.getTime() + Math.floor((lifetime * 2) / 3));
}

export function certificateIsDue(renewAt: Date, now: Date): boolean {
  return now >= renewAt;
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}
