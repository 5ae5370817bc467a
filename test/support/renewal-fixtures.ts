import { createMemoryBlobStore } from "../../functions/adapters/memory/memory-blob-store.ts";
import { createMemoryOrderStore } from "../../functions/adapters/memory/memory-order-store.ts";
import { fixedClock } from "../../functions/domain/clock.ts";
import type {
  CertificateSummary,
  LineageCertificate,
  OrderRecord,
} from "../../functions/domain/order-record.ts";
import type { RenewalDeps } from "../../functions/orders/renewals.ts";
import type { OrderStore } from "../../functions/ports/order-store.ts";
import { ExecutionAlreadyExists } from "../../functions/ports/workflow-engine.ts";
import { CertificateVault } from "../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../functions/workflow/workflow-settings.ts";
import { sampleEvent, sampleOrder } from "./order-store-contract.ts";

/** When the renewal tests run: after 2027-03-15, so a certificate may last 100 days at most. */
export const RENEWAL_NOW = new Date("2027-05-01T00:00:00.000Z");

/** The order's first certificate: due for renewal before RENEWAL_NOW, ending after it. */
export const FIRST_CERTIFICATE: CertificateSummary = {
  serialNumber: "0a01",
  notBefore: "2027-02-01T00:00:00.000Z",
  notAfter: "2027-05-20T00:00:00.000Z",
  sha256Fingerprint: "AA:01",
  renewAt: "2027-04-25T00:00:00.000Z",
};

/** The certificate a renewal issued. */
export const RENEWED_CERTIFICATE: CertificateSummary = {
  serialNumber: "0b02",
  notBefore: "2027-05-01T00:00:00.000Z",
  notAfter: "2027-08-09T00:00:00.000Z",
  sha256Fingerprint: "BB:02",
  renewAt: "2027-07-15T00:00:00.000Z",
};

/** `certificate` as one entry of an order's lineage, held by `heldBy`. */
export function lineageEntry(
  certificate: CertificateSummary,
  heldBy: string,
  replaces?: string,
): LineageCertificate {
  return {
    serialNumber: certificate.serialNumber,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    sha256Fingerprint: certificate.sha256Fingerprint,
    heldBy,
    ...(replaces === undefined ? {} : { replaces }),
  };
}

/** An ISSUED order with FIRST_CERTIFICATE, as the workflow leaves it. */
export function issuedRecord(orderId: string, overrides: Partial<OrderRecord> = {}): OrderRecord {
  return sampleOrder({
    orderId,
    status: "ISSUED",
    certificate: FIRST_CERTIFICATE,
    ...overrides,
  });
}

/** Writes `order` to the store and answers it as stored. */
export async function seed(store: OrderStore, order: OrderRecord): Promise<OrderRecord> {
  const created = await store.create(order, sampleEvent(order.createdAt, "seeded"));
  if (!created.created) throw new Error(`Order ${order.orderId} exists already.`);
  return created.order;
}

/** Reads an order that must exist. */
export async function stored(store: OrderStore, orderId: string): Promise<OrderRecord> {
  const order = await store.get(orderId);
  if (order === undefined) throw new Error(`Order ${orderId} is missing.`);
  return order;
}

/**
 * A workflow engine that records the executions it started and, as Step Functions does, refuses
 * a name used before with ExecutionAlreadyExists (`asked` counts every call).
 */
export function recordingWorkflow() {
  const started: { name: string; input: Record<string, unknown> }[] = [];
  const asked: string[] = [];
  let failNext: Error | undefined;
  return {
    started,
    asked,
    /** The next startExecution throws `error` instead of starting. */
    failNextWith(error: Error) {
      failNext = error;
    },
    async startExecution(name: string, input: Record<string, unknown>) {
      asked.push(name);
      if (failNext !== undefined) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      if (started.some((execution) => execution.name === name)) {
        throw new ExecutionAlreadyExists(`Execution ${name} exists already.`);
      }
      started.push({ name, input });
    },
  };
}

export function memoryVault(): CertificateVault {
  return new CertificateVault(createMemoryBlobStore(), derivedKeyPassphrases(new Uint8Array(32)));
}

/** What startRenewal needs, in memory, at RENEWAL_NOW. */
export function renewalWorld(overrides: { store?: OrderStore } = {}) {
  const clock = fixedClock(RENEWAL_NOW);
  const store = overrides.store ?? createMemoryOrderStore(clock);
  const workflow = recordingWorkflow();
  const vault = memoryVault();
  const deps: RenewalDeps = {
    store,
    workflow,
    vault,
    clock,
    settings: DEFAULT_WORKFLOW_SETTINGS,
  };
  return { clock, store, workflow, vault, deps };
}
