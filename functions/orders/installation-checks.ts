import type { Clock } from "../domain/clock.ts";
import {
  type CertificateFacts,
  type ExpectedCertificate,
  type InstallationRecord,
  type InstallationResult,
  installationHost,
  judgeInstallation,
  servedChainOf,
} from "../domain/installation-check.ts";
import type { OrderEvent, OrderRecord } from "../domain/order-record.ts";
import type { InstallationChecker, TlsObservation } from "../ports/installation-checker.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { CertificateVault } from "../vault/certificate-vault.ts";
import { updateOrder } from "./order-updates.ts";

/** API Gateway gives up on an integration after 29 s: the check answers well before. */
export const INSTALLATION_CHECK_TIME_BOUND_MS = 20_000;

/** Beyond the checker's own deadline, how long a host's observation is waited for at most. */
const GRACE_MS = 1_000;

export interface InstallationCheckDependencies {
  readonly store: OrderStore;
  readonly vault: Pick<CertificateVault, "getCertificate">;
  readonly installationChecker: InstallationChecker;
  readonly clock: Clock;
}

/**
 * The serials of the order's earlier certificates: its certificate lineage, and for a renewal
 * the certificates of the order it renews (same tenant), without the current one.
 */
export async function earlierCertificateSerials(
  store: OrderStore,
  order: OrderRecord,
): Promise<string[]> {
  const serials = new Set<string>();
  const add = (held: Pick<OrderRecord, "certificate" | "certificates">) => {
    if (held.certificate !== undefined) serials.add(held.certificate.serialNumber.toLowerCase());
    for (const certificate of held.certificates ?? []) {
      serials.add(certificate.serialNumber.toLowerCase());
    }
  };
  add(order);
  if (order.renewalOf !== undefined) {
    const renewed = await store.get(order.renewalOf);
    if (renewed?.tenantId === order.tenantId) add(renewed);
  }
  if (order.certificate !== undefined) serials.delete(order.certificate.serialNumber.toLowerCase());
  return [...serials];
}

/**
 * Where the vault holds the order's current certificate: under the order, or under the renewal
 * that issued it (the lineage says which).
 */
export function currentCertificateHolder(order: OrderRecord): string {
  const serial = order.certificate?.serialNumber;
  const entry = order.certificates?.find((certificate) => certificate.serialNumber === serial);
  return entry?.heldBy ?? order.orderId;
}

/** The order's stored certificate and chain, as the judge reads them. */
async function expectedCertificate(
  vault: Pick<CertificateVault, "getCertificate">,
  orderId: string,
): Promise<ExpectedCertificate> {
  const stored = await vault.getCertificate(orderId);
  if (stored === undefined) throw new Error(`Issued order ${orderId} has no stored certificate.`);
  // Certificate reading (asn1js) loads with the first check, not when the function starts.
  const [{ parseCertificate }, { splitPemCertificates }] = await Promise.all([
    import("../pki/certificate-info.ts"),
    import("../pki/pem.ts"),
  ]);
  const facts = (pem: string): CertificateFacts => {
    const info = parseCertificate(pem);
    return {
      subject: info.subject,
      issuer: info.issuer,
      serialNumber: info.serialNumber,
      sha256Fingerprint: info.sha256Fingerprint,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      names: info.names,
    };
  };
  return {
    certificate: facts(stored.certificatePem),
    chain: splitPemCertificates(stored.chainPem).map(facts),
  };
}

/** The checker's observation, or TIMEOUT when it does not answer within its deadline. */
async function observeWithin(
  checker: InstallationChecker,
  host: string,
  timeoutMs: number,
): Promise<TlsObservation> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<TlsObservation>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          cause: "TIMEOUT",
          detail: `No TLS handshake with ${host} within ${Math.round(timeoutMs / 1000)} s.`,
        }),
      timeoutMs + GRACE_MS,
    );
  });
  try {
    return await Promise.race([checker.observe(host, { timeoutMs }), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks every name of an issued order at once (each host once: a wildcard at its base name),
 * within `timeBoundMs`, and judges what each served against the order's stored certificate.
 */
export async function checkInstallation(
  deps: InstallationCheckDependencies,
  order: OrderRecord,
  options: { readonly trigger: InstallationRecord["trigger"]; readonly timeBoundMs: number },
): Promise<InstallationRecord> {
  const started = Date.now();
  const now = deps.clock.now();
  const [expected, earlierSerials] = await Promise.all([
    expectedCertificate(deps.vault, currentCertificateHolder(order)),
    earlierCertificateSerials(deps.store, order),
  ]);
  const timeoutMs = Math.max(100, options.timeBoundMs - (Date.now() - started));
  const hosts = [...new Set(order.names.map(installationHost))];
  const observations = new Map(
    await Promise.all(
      hosts.map(
        async (host) =>
          [host, await observeWithin(deps.installationChecker, host, timeoutMs)] as const,
      ),
    ),
  );
  const results = order.names.map((name): InstallationResult => {
    const host = installationHost(name);
    const observation = observations.get(host);
    if (observation === undefined || !observation.ok) {
      return {
        domain: name.ascii,
        host,
        ok: false,
        finding: observation?.cause ?? "TIMEOUT",
        detail: observation?.detail ?? `${host} was not checked.`,
      };
    }
    const judgement = judgeInstallation({
      name,
      served: observation.served,
      expected,
      earlierSerials,
      now,
    });
    return {
      domain: name.ascii,
      host,
      ok: judgement.finding === "OK",
      finding: judgement.finding,
      detail: judgement.detail,
      servedSerial: observation.served[0]?.serialNumber,
      servedChain: servedChainOf(observation.served),
    };
  });
  return {
    checkedAt: now.toISOString(),
    trigger: options.trigger,
    certificateSerial: expected.certificate.serialNumber,
    results,
  };
}

/** How the history names a check, by who ran it. */
const INSTALLATION_CHECK_NAMES: Readonly<Record<InstallationRecord["trigger"], string>> = {
  api: "Installation check",
  issuance: "Installation check after issuance",
  renewal: "Installation check after renewal",
  recheck: "Installation check at the end of the renewal's grace period",
};

/** The history line of an installation check. */
export function installationEvent(record: InstallationRecord, by?: OrderEvent["by"]): OrderEvent {
  const what = INSTALLATION_CHECK_NAMES[record.trigger];
  const summary =
    record.notRun !== undefined
      ? `${what} could not run: ${record.notRun}`
      : record.results.every((result) => result.ok)
        ? `${what}: every name serves certificate ${record.certificateSerial ?? ""} with its full chain.`
        : `${what}: ${record.results.map((result) => `${result.domain} ${result.finding}`).join(", ")}.`;
  return {
    at: record.checkedAt,
    type: "installation",
    message: summary,
    ...(by === undefined ? {} : { by }),
  };
}

/**
 * Records the check on the order and in its history, unless the order has moved on meanwhile
 * (no longer issued, or holding another certificate): then it is left as it is.
 */
export async function recordInstallation(
  store: OrderStore,
  orderId: string,
  record: InstallationRecord,
  by?: OrderEvent["by"],
): Promise<OrderRecord> {
  return updateOrder(store, orderId, (current) => {
    if (current.status !== "ISSUED") return undefined;
    if (
      record.certificateSerial !== undefined &&
      current.certificate?.serialNumber !== record.certificateSerial
    ) {
      return undefined;
    }
    return { changes: { installation: record }, event: installationEvent(record, by) };
  });
}
