import { describe, expect, it } from "vitest";
import type { ValidationRecord } from "../../../functions/domain/order-record.ts";
import { reminderMail, timeLeftText } from "../../../functions/mail/reminder-mails.ts";
import { emailValidation } from "../../support/email-approvals.ts";
import { pendingValidation, sampleOrder } from "../../support/order-store-contract.ts";

const API = "https://api.certflow.example";
const DEADLINE = "2027-01-11T08:00:00.000Z";
const CHECKED = "2027-01-10T20:00:00.000Z";
const NAMES = ["example.com", "www.example.com", "shop.example.com"];

function failedCheck(domain: string, cause: string, detail: string): ValidationRecord {
  return {
    ...pendingValidation(domain),
    lastCheck: { at: CHECKED, ok: false, cause, detail },
  };
}

function waitingOrder(validations: readonly ValidationRecord[]) {
  return sampleOrder({
    orderId: "ord_remind1",
    status: "PENDING_VALIDATION",
    names: validations.map((validation) => ({
      ascii: validation.domain,
      display: validation.domain,
      wildcard: false,
    })),
    validationDeadline: DEADLINE,
    validations,
  });
}

describe("reminderMail", () => {
  it("tells half the time passed, the time left and each name's latest check in plain words", () => {
    // Prepare
    const order = waitingOrder([
      failedCheck(NAMES[0] ?? "", "WRONG_VALUE", 'Found "xyz", expected "value-for-example.com".'),
      {
        ...pendingValidation(NAMES[1] ?? ""),
        status: "published",
        lastCheck: { at: CHECKED, ok: true },
      },
      failedCheck(
        NAMES[2] ?? "",
        "NOT_PROPAGATED",
        "Published on ns1.example.com (192.0.2.1), not yet on ns2.example.com (192.0.2.2).",
      ),
    ]);

    // Act
    const mail = reminderMail(order, 50, new Date(CHECKED), API);

    // Assess
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.subject).toBe("Reminder: publish the records for example.com (12 h left)");
    expect(mail.text).toContain("Hello Ada,");
    expect(mail.text).toContain(
      "Half of the validation time for order ord_remind1 (example.com, www.example.com, shop.example.com) has passed",
    );
    expect(mail.text).toContain(`The deadline is ${DEADLINE}, 12 h from now`);
    expect(mail.text).toContain(
      `  example.com (checked ${CHECKED}): Something is published, but not the value asked for (WRONG_VALUE). Found "xyz", expected "value-for-example.com".`,
    );
    expect(mail.text).toContain(
      `  shop.example.com (checked ${CHECKED}): The record is on some of the zone's name servers, not yet on all of them (NOT_PROPAGATED). Published on ns1.example.com (192.0.2.1)`,
    );
    expect(mail.text).toContain("  www.example.com: found at the latest check.");
    // The instructions again, for the names still waiting only.
    expect(mail.text).toContain("Host:  _certflow-challenge.example.com");
    expect(mail.text).toContain("Value: value-for-shop.example.com");
    expect(mail.text).not.toContain("Host:  _certflow-challenge.www.example.com");
    expect(mail.text).toContain(`POST ${API}/v1/orders/ord_remind1/checks`);
  });

  it("tells 90 % passed with the time left in hours and minutes", () => {
    // Prepare
    const order = waitingOrder([failedCheck("example.com", "NO_RECORD", "No TXT record.")]);

    // Act
    const mail = reminderMail(order, 90, new Date("2027-01-11T05:36:00.000Z"), API);

    // Assess
    expect(mail.subject).toBe("Reminder: publish the records for example.com (2 h 24 min left)");
    expect(mail.text).toContain("90 % of the validation time for order ord_remind1");
    expect(mail.text).toContain("The record was not found (NO_RECORD). No TXT record.");
  });

  it("asks for files when the names are validated by HTTP, and names no approver's name", () => {
    // Prepare
    const file: ValidationRecord = {
      domain: "example.com",
      method: "http-file",
      status: "pending",
      instructions: {
        method: "http-file",
        url: "http://example.com/.well-known/pki-validation/ABC.txt",
        content: "token-abc",
      },
      lastCheck: { at: CHECKED, ok: false, cause: "HTTP_STATUS", detail: "The server said 404." },
    };
    const order = waitingOrder([file, emailValidation("mail.example.com", "admin@example.com")]);

    // Act
    const mail = reminderMail(order, 50, new Date(CHECKED), API);

    // Assess
    expect(mail.subject).toBe("Reminder: publish the files for example.com (12 h left)");
    expect(mail.text).toContain(
      "The file's address did not answer with status 200 (HTTP_STATUS). The server said 404.",
    );
    expect(mail.text).toContain("URL:     http://example.com/.well-known/pki-validation/ABC.txt");
    expect(mail.text).toContain(
      "  mail.example.com: waiting for admin@example.com to approve by email.",
    );
  });

  it("says so of a name not checked yet", () => {
    // Act
    const mail = reminderMail(
      waitingOrder([pendingValidation("example.com")]),
      50,
      new Date(CHECKED),
      API,
    );

    // Assess
    expect(mail.text).toContain("  example.com: not checked yet.");
  });
});

describe("timeLeftText", () => {
  it.each([
    [42_348, "12 h"],
    [36_000, "10 h"],
    [8_638, "2 h 23 min"],
    [7_200, "2 h"],
    [2_700, "45 min"],
    [30, "30 s"],
    [-5, "0 s"],
  ])("%s s: %s", (seconds, text) => {
    expect(timeLeftText(seconds)).toBe(text);
  });
});
