import type { InstallationRecord } from "../domain/installation-check.ts";
import type { OrderEvent, OrderRecord } from "../domain/order-record.ts";
import { installationStaleMail, staleResults } from "../mail/installation-mails.ts";
import type { Mailer } from "../ports/mailer.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { WorkflowSettings } from "../workflow/workflow-settings.ts";
import {
  checkInstallation,
  type InstallationCheckDependencies,
  installationEvent,
} from "./installation-checks.ts";
import { mailedMessage } from "./order-rounds.ts";
import { loadOrder, noteEvent, updateOrder } from "./order-updates.ts";

/**
 * "Renewed, but the old certificate is still served": after a renewal, the workflow's check
 * (`installationCheck: true`) is recorded on the order the renewal renewed, the one the customer
 * looks at. When a name still serves an earlier certificate, the order is due again for the
 * renewal run at the end of a grace period (`installationRecheckAt`); the run looks once more
 * and, if an old certificate is still served, mails the customer and records an
 * `installation_stale` event (delivered to webhooks as `order.installation_stale`).
 */

/** The recheck's time for its TLS connections, well within the renewal run's function. */
export const INSTALLATION_RECHECK_TIME_BOUND_MS = 15_000;

/** How the history names the stale notice's mail (`order.mail_sent`). */
export const STALE_INSTALLATION_MAIL = "Installation notice";

/** The history event of a recheck that found old certificates still served. */
export const STALE_INSTALLATION_EVENT = "installation_stale";

const found = (record: InstallationRecord) => staleResults(record).length > 0;

/**
 * Records the workflow's check after a renewal issued on the order it renewed as well (as a
 * check after renewal), unless that order moved on (no longer issued, or holding another
 * certificate); when a name still serves an earlier certificate, sets the order's
 * `installationRecheckAt` to the check's time plus the grace period, otherwise clears it.
 */
export async function recordRenewalInstallation(
  deps: {
    readonly store: OrderStore;
    readonly settings: Pick<WorkflowSettings, "installationGraceSeconds">;
  },
  renewal: OrderRecord,
  record: InstallationRecord,
): Promise<OrderRecord | undefined> {
  const renewedId = renewal.renewalOf;
  if (renewedId === undefined) return undefined;
  const recheckAt = found(record)
    ? new Date(Date.parse(record.checkedAt) + deps.settings.installationGraceSeconds * 1000)
    : undefined;
  return updateOrder(deps.store, renewedId, (current) => {
    if (current.tenantId !== renewal.tenantId || current.status !== "ISSUED") return undefined;
    if (
      record.certificateSerial !== undefined &&
      current.certificate?.serialNumber !== record.certificateSerial
    ) {
      return undefined;
    }
    const onOrder: InstallationRecord = { ...record, trigger: "renewal" };
    const event = installationEvent(onOrder);
    return {
      changes: {
        installation: onOrder,
        installationRecheckAt: recheckAt?.toISOString(),
      },
      event:
        recheckAt === undefined
          ? event
          : {
              ...event,
              message: `${event.message} The service looks again at ${recheckAt.toISOString()} and mails you if an old certificate is still served then.`,
            },
    };
  });
}

export interface InstallationRecheckDependencies extends InstallationCheckDependencies {
  readonly mailer: Mailer;
  readonly settings: Pick<WorkflowSettings, "publicApiUrl">;
}

export type InstallationRecheck =
  /** Nothing to look at: no recheck set, not due yet, or the order is not issued. */
  | { readonly kind: "not-due" }
  /** A racing run (or a newer renewal) took this recheck: this one recorded nothing. */
  | { readonly kind: "taken" }
  /** Every name moved on from the earlier certificates: recorded, nothing mailed. */
  | { readonly kind: "installed"; readonly record: InstallationRecord }
  /** Some name still serves an earlier certificate: recorded, mailed and an event recorded. */
  | {
      readonly kind: "stale";
      readonly record: InstallationRecord;
      readonly names: readonly string[];
    };

/**
 * The renewal run's look at an order whose `installationRecheckAt` has come (at `now`): checks
 * each name again, then records the check and clears `installationRecheckAt` in one versioned
 * write, only if it is still the one read (so of two racing runs one records, and a later
 * renewal's own recheck is left alone). The run that recorded it, if any name still serves an
 * earlier certificate, mails the customer "Renewed, but … still serves the old certificate" and
 * records an `installation_stale` event and the mail in the order's history. A mail that cannot
 * be sent puts the recheck back, due at once, for the next run.
 */
export async function recheckInstallation(
  deps: InstallationRecheckDependencies,
  orderId: string,
  now: Date,
): Promise<InstallationRecheck> {
  const order = await loadOrder(deps.store, orderId);
  const due = order.installationRecheckAt;
  if (due === undefined || Date.parse(due) > now.getTime()) return { kind: "not-due" };
  if (order.status !== "ISSUED" || order.certificate === undefined) return { kind: "not-due" };

  const record = await checkInstallation({ ...deps, clock: { now: () => now } }, order, {
    trigger: "recheck",
    timeBoundMs: INSTALLATION_RECHECK_TIME_BOUND_MS,
  });
  let claimed = false;
  const recorded = await updateOrder(deps.store, orderId, (current) => {
    claimed = false;
    if (current.installationRecheckAt !== due) return undefined;
    if (current.status !== "ISSUED") return undefined;
    if (current.certificate?.serialNumber !== record.certificateSerial) return undefined;
    claimed = true;
    return {
      changes: { installation: record, installationRecheckAt: undefined },
      event: installationEvent(record),
    };
  });
  if (!claimed) return { kind: "taken" };
  const stale = staleResults(record);
  if (stale.length === 0) return { kind: "installed", record };

  const mail = installationStaleMail(recorded, record, deps.settings.publicApiUrl);
  try {
    await deps.mailer.send(mail);
  } catch (error) {
    // Not told yet: due again at once, for the next run (unless something set it meanwhile).
    await updateOrder(deps.store, orderId, (current) =>
      current.installationRecheckAt !== undefined
        ? undefined
        : { changes: { installationRecheckAt: now.toISOString() } },
    );
    throw error;
  }
  const names = stale.map((result) => result.domain);
  await updateOrder(deps.store, orderId, () => ({
    changes: {},
    event: staleEvent(now, record, names),
  }));
  await updateOrder(deps.store, orderId, (current) => ({
    changes: {},
    event: noteEvent(now, "mail", mailedMessage(STALE_INSTALLATION_MAIL, current.contact.email)),
  }));
  return { kind: "stale", record, names };
}

/** The history line (and webhook) of names still serving an earlier certificate after the grace. */
function staleEvent(now: Date, record: InstallationRecord, names: readonly string[]): OrderEvent {
  const served = staleResults(record)
    .map((result) => `${result.domain} serves ${result.servedSerial ?? "an unknown serial"}`)
    .join(", ");
  return noteEvent(
    now,
    STALE_INSTALLATION_EVENT,
    `Renewed, but ${names.join(", ")} still ${names.length === 1 ? "serves" : "serve"} the old certificate (${served}; the current one is ${record.certificateSerial ?? "unknown"}). Install the new certificate and reload the server.`,
  );
}
