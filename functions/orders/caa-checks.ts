import { type CaaIdentity, caaVerdict } from "../domain/caa-policy.ts";
import type { CaaCheckResult, OrderRecord } from "../domain/order-record.ts";
import type { CaaLookup } from "../ports/caa-lookup.ts";
import type { DcvChecker } from "../ports/dcv-checker.ts";

/** One name's CAA: allowed, forbidden (CAA_FORBIDS, with what to add), or no verdict yet. */
export type CaaCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly cause: string; readonly detail: string };

/** Looks up the CAA relevant to `name` and judges it for the CA with `identity`. */
export async function checkCaa(
  lookup: CaaLookup,
  name: string,
  identity: CaaIdentity,
  method: OrderRecord["method"],
): Promise<CaaCheck> {
  const finding = await lookup.caa(name);
  if (finding.kind === "failed") {
    return { ok: false, cause: finding.cause, detail: finding.detail };
  }
  const verdict = caaVerdict({
    name,
    rrset: finding.kind === "found" ? finding.rrset : undefined,
    identity,
    method,
  });
  return verdict.verdict === "allowed"
    ? { ok: true }
    : { ok: false, cause: "CAA_FORBIDS", detail: verdict.message };
}

export function caaCheckResult(check: CaaCheck): CaaCheckResult {
  return check.ok ? { ok: true } : { ok: false, cause: check.cause, detail: check.detail };
}

export const forbidsIssuance = (check: CaaCheck | CaaCheckResult | undefined) =>
  check?.ok === false && check.cause === "CAA_FORBIDS";

/**
 * The names of an order whose CAA forbids the CA, each with its customer-readable reason. A
 * lookup without a verdict (SERVFAIL, no answer) is not a refusal here: the publication checks
 * keep the name unpublished until CAA resolves.
 */
export async function namesCaaForbids(
  lookup: CaaLookup,
  order: Pick<OrderRecord, "names" | "method">,
  identity: CaaIdentity,
): Promise<{ readonly domain: string; readonly detail: string }[]> {
  const checks = await Promise.all(
    order.names.map(async (name) => ({
      domain: name.ascii,
      check: await checkCaa(lookup, name.ascii, identity, order.method),
    })),
  );
  return checks.flatMap(({ domain, check }) =>
    check.ok || !forbidsIssuance(check) ? [] : [{ domain, detail: check.detail }],
  );
}

/** The CAA lookup of a DCV checker, when it has one (test doubles that only check have none). */
export function caaLookupOf(dcv: DcvChecker): CaaLookup | undefined {
  const lookup = dcv.caa;
  return lookup === undefined ? undefined : { caa: (name) => lookup.call(dcv, name) };
}

/** What the last checks found forbidding the CA, one reason per name not yet validated. */
export function caaForbidsMessage(
  validations: readonly { readonly status: string; readonly caa?: CaaCheckResult }[],
): string | undefined {
  const reasons = validations.flatMap((validation) =>
    validation.status !== "valid" && forbidsIssuance(validation.caa)
      ? [validation.caa?.detail ?? ""]
      : [],
  );
  return reasons.length === 0 ? undefined : reasons.join(" ");
}
