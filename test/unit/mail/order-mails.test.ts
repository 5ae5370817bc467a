import { describe, expect, it } from "vitest";
import {
  expiredMail,
  failedMail,
  instructionsMail,
  issuedMail,
} from "../../../functions/mail/order-mails.ts";
import { pendingValidation, sampleOrder } from "../../support/order-store-contract.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  RENEWED_CERTIFICATE,
} from "../../support/renewal-fixtures.ts";

const API = "https://api.certflow.example";
const FORMATS = ["nginx", "apache", "iis", "tomcat", "pem"];

describe("instructionsMail", () => {
  const waiting = {
    status: "PENDING_VALIDATION" as const,
    validations: [pendingValidation("shop.example.com")],
    validationDeadline: "2027-05-02T00:00:00.000Z",
  };

  it("tells a renewal's customer which order it renews and that their certificate keeps working", () => {
    // Act
    const mail = instructionsMail(
      sampleOrder({ orderId: "ord_renewal1", renewalOf: "ord_renewed1", ...waiting }),
      API,
    );

    // Assess
    expect(mail.subject).toBe("Action needed: publish the validation for shop.example.com");
    expect(mail.text).toContain("It renews order ord_renewed1");
    expect(mail.text).toContain("The certificate you have keeps working meanwhile");
    expect(mail.text).toContain("if the names are not proven by 2027-05-02T00:00:00.000Z");
    expect(mail.text).toContain("Host:  _certflow-challenge.shop.example.com");
    expect(mail.text).toContain("Value: value-for-shop.example.com");
    expect(mail.text).toContain(`POST ${API}/v1/orders/ord_renewal1/checks`);
  });

  it("does not speak of a renewal to a new order's customer", () => {
    // Act
    const mail = instructionsMail(sampleOrder({ orderId: "ord_new1", ...waiting }), API);

    // Assess
    expect(mail.text).toContain("Order ord_new1 for shop.example.com is waiting for you");
    expect(mail.text).not.toContain("renew");
  });
});

describe("issuedMail", () => {
  it("links an order's downloads to the order", () => {
    // Act
    const mail = issuedMail(issuedRecord("ord_new1"), API);

    // Assess
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.subject).toBe("Certificate issued for shop.example.com");
    expect(mail.text).toContain("Order ord_new1 for shop.example.com is issued.");
    for (const format of FORMATS) {
      expect(mail.text).toContain(`${API}/v1/orders/ord_new1/certificate?format=${format}`);
    }
  });

  it("tells of a renewal and links the downloads of the order it renewed", () => {
    // Prepare
    const renewal = issuedRecord("ord_renewal1", {
      renewalOf: "ord_renewed1",
      certificate: RENEWED_CERTIFICATE,
    });

    // Act
    const mail = issuedMail(renewal, API);

    // Assess
    expect(mail.subject).toBe("Certificate renewed for shop.example.com");
    expect(mail.text).toContain("Order ord_renewed1 for shop.example.com is renewed");
    expect(mail.text).toContain(
      `Serial ${RENEWED_CERTIFICATE.serialNumber}, valid until ${RENEWED_CERTIFICATE.notAfter}; renewal is planned for ${RENEWED_CERTIFICATE.renewAt}.`,
    );
    for (const format of FORMATS) {
      expect(mail.text).toContain(`${API}/v1/orders/ord_renewed1/certificate?format=${format}`);
    }
    expect(mail.text).not.toContain("ord_renewal1");
  });
});

describe("failedMail", () => {
  it("tells that a renewal failed, why, that the certificate still serves, and how to renew now", () => {
    // Prepare
    const renewal = issuedRecord("ord_renewal1", {
      status: "FAILED",
      renewalOf: "ord_renewed1",
      certificate: undefined,
      failure: { code: "VALIDATION_TIMED_OUT", message: "Not published in time." },
    });

    // Act
    const mail = failedMail(renewal);

    // Assess
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.subject).toBe("Renewal failed: shop.example.com");
    expect(mail.text).toContain("The renewal of order ord_renewed1 for shop.example.com failed.");
    expect(mail.text).toContain("Reason (VALIDATION_TIMED_OUT): Not published in time.");
    expect(mail.text).toContain("The current certificate keeps serving until it ends.");
    expect(mail.text).toContain("POST /v1/orders/ord_renewed1/renewals.");
    expect(mail.text).toContain("The next try asks for the names to be proven again");
  });

  it("speaks of a new validation only when the renewal failed for want of one", () => {
    // Act
    const mail = failedMail(
      issuedRecord("ord_renewal1", {
        status: "FAILED",
        renewalOf: "ord_renewed1",
        certificate: undefined,
        failure: { code: "CAA_FORBIDS", message: "CAA." },
      }),
    );

    // Assess
    expect(mail.text).toContain("Reason (CAA_FORBIDS): CAA.");
    expect(mail.text).not.toContain("proven again");
  });

  it("still tells of an order that failed as before", () => {
    // Act
    const mail = failedMail(
      issuedRecord("ord_failed1", {
        status: "FAILED",
        failure: { code: "CA_REJECTED", message: "No." },
      }),
    );

    // Assess
    expect(mail.subject).toBe("Order failed: shop.example.com");
  });
});

describe("expiredMail", () => {
  it("tells that the certificate ended unrenewed, with automatic renewal off", () => {
    // Act
    const mail = expiredMail(issuedRecord("ord_ended1", { status: "EXPIRED", autoRenew: false }));

    // Assess
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.subject).toBe("Certificate expired: shop.example.com");
    expect(mail.text).toContain(
      `The certificate of Order ord_ended1 for shop.example.com ended at ${FIRST_CERTIFICATE.notAfter}, and no renewal replaced it.`,
    );
    expect(mail.text).toContain("Automatic renewal was off for this order.");
    expect(mail.text).toContain("Order a new certificate");
  });

  it("names the last renewal's failure when renewals failed until it ended", () => {
    // Act
    const mail = expiredMail(
      issuedRecord("ord_ended1", {
        status: "EXPIRED",
        renewal: {
          attempts: 3,
          lastFailure: { at: "2027-05-19T00:00:00.000Z", code: "CAA_FORBIDS", message: "CAA." },
        },
      }),
    );

    // Assess
    expect(mail.text).toContain("The last renewal failed: CAA.");
    expect(mail.text).not.toContain("Automatic renewal was off");
  });
});
