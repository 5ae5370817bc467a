import { describe, expect, it } from "vitest";
import type {
  InstallationRecord,
  InstallationResult,
} from "../../../functions/domain/installation-check.ts";
import { installationStaleMail } from "../../../functions/mail/installation-mails.ts";
import {
  FIRST_CERTIFICATE,
  issuedRecord,
  lineageEntry,
  RENEWED_CERTIFICATE,
} from "../../support/renewal-fixtures.ts";

const API = "https://api.certflow.example";
const CHECKED_AT = "2027-05-04T00:00:00.000Z";

const result = (domain: string, finding: InstallationResult["finding"]): InstallationResult => ({
  domain,
  host: domain.replace(/^\*\./, ""),
  ok: finding === "OK",
  finding,
  detail: "…",
  servedSerial:
    finding === "OK" ? RENEWED_CERTIFICATE.serialNumber : FIRST_CERTIFICATE.serialNumber,
});

const recheck = (results: InstallationResult[]): InstallationRecord => ({
  checkedAt: CHECKED_AT,
  trigger: "recheck",
  certificateSerial: RENEWED_CERTIFICATE.serialNumber,
  results,
});

const renewed = (overrides = {}) =>
  issuedRecord("ord_renewed1", {
    certificate: RENEWED_CERTIFICATE,
    certificates: [
      lineageEntry(RENEWED_CERTIFICATE, "ord_renewal1", FIRST_CERTIFICATE.serialNumber),
      lineageEntry(FIRST_CERTIFICATE, "ord_renewed1"),
    ],
    ...overrides,
  });

describe("installationStaleMail", () => {
  it("names the server still serving the old certificate, both serials, and how to install the new files", () => {
    // Act
    const mail = installationStaleMail(
      renewed(),
      recheck([result("shop.example.com", "OLD_CERTIFICATE")]),
      API,
    );

    // Assess
    expect(mail.to).toEqual(["ada@example.com"]);
    expect(mail.subject).toBe("Renewed, but shop.example.com still serves the old certificate");
    expect(mail.text).toContain(
      `its current certificate is serial ${RENEWED_CERTIFICATE.serialNumber}, valid until ${RENEWED_CERTIFICATE.notAfter}.`,
    );
    expect(mail.text).toContain(`When we looked again at ${CHECKED_AT}, this name still served`);
    expect(mail.text).toContain(
      `  shop.example.com: serves serial ${FIRST_CERTIFICATE.serialNumber}, which ends at ${FIRST_CERTIFICATE.notAfter}; it should serve ${RENEWED_CERTIFICATE.serialNumber}.`,
    );
    expect(mail.text).toContain(
      `curl -s "${API}/v1/orders/ord_renewed1/certificate?format=nginx" -H "Authorization: Bearer $CERTFLOW_TOKEN" -H 'Accept: application/zip' -o ord_renewed1.nginx.zip`,
    );
    expect(mail.text).toContain("the .fullchain.pem of the nginx download) and the .key file.");
    expect(mail.text).toContain(
      `curl -s -X POST "${API}/v1/orders/ord_renewed1/installation-check" -H "Authorization: Bearer $CERTFLOW_TOKEN"`,
    );
  });

  it("lists only the stale names of several, and leaves the key to a customer who sent a CSR", () => {
    // Act
    const mail = installationStaleMail(
      renewed({ keySource: { kind: "uploaded-csr" } }),
      recheck([
        result("shop.example.com", "OLD_CERTIFICATE"),
        result("www.shop.example.com", "OK"),
        result("*.api.shop.example.com", "OLD_CERTIFICATE"),
      ]),
      API,
    );

    // Assess
    expect(mail.subject).toBe(
      "Renewed, but shop.example.com and *.api.shop.example.com still serve the old certificate",
    );
    expect(mail.text).toContain("these names still served an earlier certificate");
    expect(mail.text).toContain("  *.api.shop.example.com (checked at api.shop.example.com): ");
    expect(mail.text).not.toContain("  www.shop.example.com:");
    expect(mail.text).toContain("the key stays yours.");
  });
});
