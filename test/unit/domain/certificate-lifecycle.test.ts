import { describe, expect, it } from "vitest";
import {
  dueExpiryNotice,
  lifecycleDueAt,
  noticesAfterMailing,
  planEnd,
  planValidityDays,
  renewalDue,
  whyNotRenewing,
  willRenew,
} from "../../../functions/domain/certificate-lifecycle.ts";
import { FIRST_CERTIFICATE, issuedRecord } from "../../support/renewal-fixtures.ts";

const at = (iso: string) => new Date(iso);
const FAILURE = { at: "2027-04-26T00:00:00.000Z", code: "CA_UNAVAILABLE", message: "CA down." };

describe("willRenew and whyNotRenewing", () => {
  it("renews an order that renews itself and has no plan", () => {
    const order = issuedRecord("ord_a");
    expect(willRenew(order)).toBe(true);
    expect(whyNotRenewing(order)).toBeUndefined();
  });

  it("does not renew with auto-renewal off, and says so", () => {
    const order = issuedRecord("ord_a", { autoRenew: false });
    expect(willRenew(order)).toBe(false);
    expect(whyNotRenewing(order)).toBe("automatic renewal is off for this order");
  });

  it("does not renew a certificate that reaches the plan's end", () => {
    const planEndsAt = FIRST_CERTIFICATE.notAfter;
    const order = issuedRecord("ord_a", { planMonths: 12, planEndsAt });
    expect(willRenew(order)).toBe(false);
    expect(whyNotRenewing(order)).toBe(`the order's plan ends at ${planEndsAt}`);
  });

  it("renews a certificate that ends before the plan does", () => {
    const order = issuedRecord("ord_a", { planMonths: 12, planEndsAt: "2027-12-01T00:00:00.000Z" });
    expect(willRenew(order)).toBe(true);
  });

  it("renews, but gives notices, while renewals fail", () => {
    const order = issuedRecord("ord_a", { renewal: { lastFailure: FAILURE } });
    expect(willRenew(order)).toBe(true);
    expect(whyNotRenewing(order)).toBe("its renewal is failing (CA_UNAVAILABLE: CA down.)");
  });
});

describe("dueExpiryNotice", () => {
  const off = issuedRecord("ord_a", { autoRenew: false });

  it("gives no notice to an order that will renew", () => {
    expect(dueExpiryNotice(issuedRecord("ord_a"), at("2027-05-19T00:00:00.000Z"))).toBeUndefined();
  });

  it("gives none before 30 days before the end", () => {
    expect(dueExpiryNotice(off, at("2027-04-19T23:59:59.000Z"))).toBeUndefined();
  });

  it("gives the 30-day notice from 30 days before the end, then the 7-day one", () => {
    expect(dueExpiryNotice(off, at("2027-04-20T00:00:00.000Z"))).toBe(30);
    const told = issuedRecord("ord_a", { autoRenew: false, renewal: { expiryNotices: [30] } });
    expect(dueExpiryNotice(told, at("2027-05-01T00:00:00.000Z"))).toBeUndefined();
    expect(dueExpiryNotice(told, at("2027-05-13T00:00:00.000Z"))).toBe(7);
  });

  it("gives one notice, the nearest to the end, when several marks passed together", () => {
    expect(dueExpiryNotice(off, at("2027-05-19T12:00:00.000Z"))).toBe(1);
    expect(noticesAfterMailing(off, 1)).toEqual([30, 7, 1]);
    expect(noticesAfterMailing(off, 7)).toEqual([30, 7]);
  });

  it("gives none once the certificate ended", () => {
    expect(dueExpiryNotice(off, at("2027-05-20T00:00:00.000Z"))).toBeUndefined();
  });
});

describe("lifecycleDueAt", () => {
  it("is the renewal time of an order that renews itself", () => {
    expect(lifecycleDueAt(issuedRecord("ord_a"))).toBe(FIRST_CERTIFICATE.renewAt);
  });

  it("is the next time the CA's window is asked for, when earlier", () => {
    const certificate = {
      ...FIRST_CERTIFICATE,
      renewalWindow: { certId: "a.b", nextFetchAt: "2027-03-01T00:00:00.000Z" },
    };
    expect(lifecycleDueAt(issuedRecord("ord_a", { certificate }))).toBe("2027-03-01T00:00:00.000Z");
  });

  it("ignores the window of a certificate that will not be renewed", () => {
    const certificate = {
      ...FIRST_CERTIFICATE,
      renewalWindow: { certId: "a.b", nextFetchAt: "2027-03-01T00:00:00.000Z" },
    };
    const order = issuedRecord("ord_a", { certificate, autoRenew: false });
    expect(lifecycleDueAt(order)).toBe("2027-04-20T00:00:00.000Z");
  });

  it("is the installation recheck, when earlier", () => {
    const order = issuedRecord("ord_a", { installationRecheckAt: "2027-03-02T00:00:00.000Z" });
    expect(lifecycleDueAt(order)).toBe("2027-03-02T00:00:00.000Z");
  });

  it("leaves renewals and orders not ISSUED out", () => {
    expect(lifecycleDueAt(issuedRecord("ord_a", { renewalOf: "ord_b" }))).toBeUndefined();
    expect(lifecycleDueAt(issuedRecord("ord_a", { status: "REVOKED" }))).toBeUndefined();
  });
});

describe("renewalDue", () => {
  it("is due from the renewal time until the certificate ends", () => {
    const order = issuedRecord("ord_a");
    expect(renewalDue(order, at("2027-04-24T23:59:59.000Z"))).toBe(false);
    expect(renewalDue(order, at("2027-04-25T00:00:00.000Z"))).toBe(true);
    expect(renewalDue(order, at("2027-05-20T00:00:00.000Z"))).toBe(false);
  });
});

describe("plans", () => {
  it("ends a plan on the same day of a later month, or that month's last day", () => {
    expect(planEnd(at("2027-01-15T10:00:00.000Z"), 12).toISOString()).toBe(
      "2028-01-15T10:00:00.000Z",
    );
    expect(planEnd(at("2027-01-31T00:00:00.000Z"), 1).toISOString()).toBe(
      "2027-02-28T00:00:00.000Z",
    );
  });

  it("shortens the last certificate of a plan to end with it", () => {
    const now = at("2027-01-01T00:00:00.000Z");
    expect(planValidityDays(200, undefined, now)).toBe(200);
    expect(planValidityDays(200, "2028-01-01T00:00:00.000Z", now)).toBe(200);
    expect(planValidityDays(200, "2027-04-11T00:00:00.000Z", now)).toBe(100);
    expect(planValidityDays(200, "2027-01-01T06:00:00.000Z", now)).toBe(1);
  });
});
