import { describe, expect, it } from "vitest";
import { orderView } from "../../../functions/api/order-view.ts";
import type { CertificateSummary } from "../../../functions/domain/order-record.ts";
import { sampleOrder } from "../../support/order-store-contract.ts";

const certificate: CertificateSummary = {
  serialNumber: "0a1b",
  notBefore: "2027-01-01T00:00:00.000Z",
  notAfter: "2027-04-01T00:00:00.000Z",
  sha256Fingerprint: "AA:BB",
  renewAt: "2027-03-01T12:00:00.000Z",
};

const issued = (summary: CertificateSummary) =>
  sampleOrder({ orderId: "ord_view1", status: "ISSUED", certificate: summary, profile: "classic" });

describe("the order view: profile and the CA's renewal window", () => {
  it("shows the order's profile and the window the CA suggested, with its explanation", () => {
    const view = orderView(
      issued({
        ...certificate,
        renewalWindow: {
          certId: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
          start: "2027-03-01T00:00:00.000Z",
          end: "2027-03-03T00:00:00.000Z",
          explanationUrl: "https://ca.example/incident/42",
          nextFetchAt: "2027-01-01T06:00:00.000Z",
        },
      }),
    );

    expect(view.profile).toBe("classic");
    expect(view.renewal?.window).toEqual({
      start: "2027-03-01T00:00:00.000Z",
      end: "2027-03-03T00:00:00.000Z",
      explanationUrl: "https://ca.example/incident/42",
    });
    expect(view.renewal?.nextAt).toBe("2027-03-01T12:00:00.000Z");
  });

  it("shows no window before the CA gave one, nor for a CA without windows", () => {
    const asked = orderView(
      issued({
        ...certificate,
        renewalWindow: { certId: "a.b", nextFetchAt: "2027-01-01T01:00:00.000Z" },
      }),
    );
    const without = orderView(issued(certificate));

    expect(asked.renewal?.window).toBeUndefined();
    expect(without.renewal?.window).toBeUndefined();
  });
});
