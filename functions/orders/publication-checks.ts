import type { Instructions, OrderRecord, ValidationRecord } from "../domain/order-record.ts";
import type { CheckOutcome, DcvChecker } from "../ports/dcv-checker.ts";
import { type CaaCheck, caaCheckResult, caaLookupOf, checkCaa } from "./caa-checks.ts";
import { publicationFor } from "./publication-for.ts";

export interface PublicationCheckResult {
  readonly validations: readonly ValidationRecord[];
  readonly allPublished: boolean;
}

/**
 * Checks every name not yet validated, once each, the way the CA will; shared by the loop and
 * the API. With `timeBoundMs`, a name whose check has not answered by then reports TIMEOUT.
 * For an order placed with a CAA check, each name's CAA is looked up again too: a name is
 * published only while CAA lets the CA issue (a SERVFAIL keeps it unpublished).
 */
export async function checkPublications(
  order: OrderRecord,
  dcv: DcvChecker,
  at: Date,
  timeBoundMs?: number,
): Promise<PublicationCheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outOfTime =
    timeBoundMs === undefined
      ? undefined
      : new Promise<CheckOutcome>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                ok: false,
                cause: "TIMEOUT",
                detail: `The check did not finish within ${timeBoundMs / 1000} s; it goes on at the next check.`,
              }),
            timeBoundMs,
          );
        });
  const caaLookup = order.caaIdentity === undefined ? undefined : caaLookupOf(dcv);
  const caaIdentity = order.caaIdentity;
  try {
    const validations = await Promise.all(
      order.validations.map(async (validation): Promise<ValidationRecord> => {
        if (validation.status === "valid") return validation;
        const publication = publicationFor(validation.instructions);
        if (publication === undefined) return validation;
        const checking = Promise.all([
          dcv.check(publication),
          caaLookup === undefined || caaIdentity === undefined
            ? undefined
            : checkCaa(caaLookup, validation.domain, caaIdentity, validation.method),
        ]);
        const late = outOfTime?.then((timeout): [CheckOutcome, CaaCheck | undefined] => [
          timeout,
          undefined,
        ]);
        const [outcome, caa] = await (late === undefined
          ? checking
          : Promise.race([checking, late]));
        const caaBlocks = caa !== undefined && !caa.ok ? caa : undefined;
        return {
          ...validation,
          status: outcome.ok && caaBlocks === undefined ? "published" : "pending",
          ...(caa === undefined ? {} : { caa: caaCheckResult(caa) }),
          lastCheck: {
            ...(!outcome.ok
              ? { at: at.toISOString(), ok: false, cause: outcome.cause, detail: outcome.detail }
              : caaBlocks !== undefined
                ? {
                    at: at.toISOString(),
                    ok: false,
                    cause: caaBlocks.cause,
                    detail: caaBlocks.detail,
                  }
                : { at: at.toISOString(), ok: true }),
            ...(outcome.servers === undefined ? {} : { servers: outcome.servers }),
          },
        };
      }),
    );
    return { validations, allPublished: allNamesPublished(validations) };
  } finally {
    clearTimeout(timer);
  }
}

function sameInstructions(a: Instructions, b: Instructions): boolean {
  const left: Readonly<Record<string, unknown>> = a;
  const right: Readonly<Record<string, unknown>> = b;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].every((key) => left[key] === right[key]);
}

/**
 * What the stored validations become with checks that ran on an older read of the order: per
 * name, a check replaces only a result that is still open (pending or published) and not newer
 * than it, so a name the CA decided (valid, invalid) meanwhile, or a later check, stays. A check
 * of other instructions than the stored ones (the customer switched method or approver while it
 * ran) counts for nothing: a record found for the old instructions is no approval.
 */
export function mergeChecks(
  stored: readonly ValidationRecord[],
  checked: readonly ValidationRecord[],
): PublicationCheckResult {
  const byDomain = new Map(checked.map((validation) => [validation.domain, validation]));
  const validations = stored.map((current) => {
    const check = byDomain.get(current.domain);
    if (check?.lastCheck === undefined) return current;
    if (!sameInstructions(current.instructions, check.instructions)) return current;
    if (current.status === "valid" || current.status === "invalid") return current;
    if (current.lastCheck !== undefined && current.lastCheck.at > check.lastCheck.at) {
      return current;
    }
    return {
      ...current,
      status: check.status,
      lastCheck: check.lastCheck,
      ...(check.caa === undefined ? {} : { caa: check.caa }),
    };
  });
  return { validations, allPublished: allNamesPublished(validations) };
}

/** Every name is published, or validated by the CA already. */
export function allNamesPublished(validations: readonly ValidationRecord[]): boolean {
  return validations.every(
    (validation) => validation.status === "valid" || validation.status === "published",
  );
}

export function summarizeChecks(validations: readonly ValidationRecord[]): string {
  return validations.map(summarizeCheck).join("; ");
}

function summarizeCheck(validation: ValidationRecord): string {
  if (validation.instructions.method === "email" && validation.status === "pending") {
    return `${validation.domain}: waiting for ${validation.instructions.approver} to approve`;
  }
  return validation.lastCheck === undefined || validation.lastCheck.ok
    ? `${validation.domain}: ok`
    : `${validation.domain}: ${validation.lastCheck.cause} (${validation.lastCheck.detail})`;
}

/** Why a name can no longer be validated in this order (an approver declined), if one cannot. */
export function declinedValidation(validations: readonly ValidationRecord[]): string | undefined {
  const declined = validations.filter((validation) => validation.status === "invalid");
  if (declined.length === 0) return undefined;
  return declined
    .map((validation) => `${validation.domain}: ${validation.lastCheck?.detail ?? "declined"}`)
    .join("; ");
}
