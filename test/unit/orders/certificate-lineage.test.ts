import { describe, expect, it } from "vitest";
import type { LineageCertificate } from "../../../functions/domain/order-record.ts";
import { lineageOf } from "../../../functions/orders/certificate-lineage.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWED_CERTIFICATE,
} from "../../support/renewal-fixtures.ts";

describe("lineageOf", () => {
  it("is empty for an order without a certificate", () => {
    // Act
    const lineage = lineageOf(sampleOrder({ orderId: "ord_none" }));

    // Assess
    expect(lineage).toEqual([]);
  });

  it("is the first certificate, held by the order itself, before the first renewal", () => {
    // Act
    const lineage = lineageOf(issuedRecord("ord_first"));

    // Assess
    expect(lineage).toEqual([
      {
        serialNumber: FIRST_CERTIFICATE.serialNumber,
        notBefore: FIRST_CERTIFICATE.notBefore,
        notAfter: FIRST_CERTIFICATE.notAfter,
        sha256Fingerprint: FIRST_CERTIFICATE.sha256Fingerprint,
        heldBy: "ord_first",
      },
    ]);
    expect(lineage[0]).not.toHaveProperty("renewAt");
    expect(lineage[0]).not.toHaveProperty("replaces");
  });

  it("is the record's list, current first, once the order was renewed", () => {
    // Prepare
    const certificates: LineageCertificate[] = [
      lineageEntry(RENEWED_CERTIFICATE, "ord_renewal1", FIRST_CERTIFICATE.serialNumber),
      lineageEntry(FIRST_CERTIFICATE, "ord_renewed"),
    ];
    const order = issuedRecord("ord_renewed", { certificate: RENEWED_CERTIFICATE, certificates });

    // Act
    const lineage = lineageOf(order);

    // Assess
    expect(lineage).toEqual(certificates);
  });
});
