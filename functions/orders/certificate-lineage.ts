import type { LineageCertificate, OrderRecord } from "../domain/order-record.ts";

/** The order's certificates, current first, as its record or its first certificate says. */
export function lineageOf(order: OrderRecord): readonly LineageCertificate[] {
  if (order.certificates !== undefined) return order.certificates;
  const certificate = order.certificate;
  if (certificate === undefined) return [];
  return [
    {
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      sha256Fingerprint: certificate.sha256Fingerprint,
      heldBy: order.orderId,
    },
  ];
}

/** A certificate of the order's lineage by serial (hex, any case, colons allowed). */
export function lineageCertificate(
  order: OrderRecord,
  serial: string,
): LineageCertificate | undefined {
  const wanted = normalizedSerial(serial);
  return lineageOf(order).find((entry) => normalizedSerial(entry.serialNumber) === wanted);
}

function normalizedSerial(serial: string): string {
  return serial
    .replaceAll(":", "")
    .toLowerCase()
    .replace(/^0+(?=.)/, "");
}
