import { createHash } from "node:crypto";
import type { ValidationMethodName } from "../../domain/order-record.ts";
import { CaRejected } from "../../ports/certificate-authority.ts";
import type { DnsChange } from "../../ports/dns-zone.ts";
import type { CertificateVault } from "../../vault/certificate-vault.ts";

/**
 * What the adapter must remember about an ACME order between calls, beyond what the CA keeps
 * (their presence also marks the order URLs the adapter will send signed requests to):
 * the validation method (dns-txt and dns-cname are both dns-01 to the CA) and, for dns-cname,
 * the TXT records it wrote in the delegation zone.
 */
export interface AcmeOrderNotes {
  readonly orderUrl: string;
  /** The certflow order this CA order serves. */
  readonly orderId: string;
  /**
   * A later certflow order of the same tenant for the same names, for which this CA order was
   * given up (CAs such as Let's Encrypt hand an account's pending order back on a new order).
   */
  readonly replacedBy?: string;
  /** The tenant whose delegation targets this order writes to. */
  readonly tenantId: string;
  readonly method: ValidationMethodName;
  readonly names: readonly string[];
  readonly delegated?: {
    /** The values this order added at each delegation target (other orders may add theirs). */
    readonly records: readonly { readonly target: string; readonly values: readonly string[] }[];
    readonly changes: readonly DnsChange[];
    /** The CA was told to validate (after the zone reported the records live). */
    readonly challengesRequested: boolean;
  };
}

function notesPath(orderUrl: string): string {
  return `acme/orders/${createHash("sha256").update(orderUrl).digest("hex").slice(0, 40)}.json`;
}

export async function findOrderNotes(
  vault: CertificateVault,
  orderUrl: string,
): Promise<AcmeOrderNotes | undefined> {
  const stored = await vault.getCaMaterial(notesPath(orderUrl));
  return stored === undefined ? undefined : (JSON.parse(stored) as AcmeOrderNotes);
}

/** The notes of an order this service placed and still uses. */
export async function loadOrderNotes(
  vault: CertificateVault,
  orderUrl: string,
): Promise<AcmeOrderNotes> {
  const notes = await findOrderNotes(vault, orderUrl);
  if (notes === undefined) {
    throw new CaRejected(`No ACME order ${orderUrl} was placed through this service.`);
  }
  if (notes.replacedBy !== undefined) {
    throw new CaRejected(
      `The CA's order was given up for order ${notes.replacedBy}, placed later for the same names.`,
    );
  }
  return notes;
}

export async function saveOrderNotes(
  vault: CertificateVault,
  notes: AcmeOrderNotes,
): Promise<void> {
  await vault.putCaMaterial(notesPath(notes.orderUrl), JSON.stringify(notes, null, 2));
}
