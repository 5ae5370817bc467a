import { describe, expect, it } from "vitest";
import {
  type OrderRequest,
  validateOrderRequest,
} from "../../../functions/domain/order-request.ts";
import { problemCodes, problemsWithFields } from "./result-problems.ts";

const now = new Date("2026-05-01T10:00:00Z");
const organization = {
  name: "Example GmbH",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
};
const ev = {
  jurisdictionCountry: "DE",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345",
};

function request(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    domains: ["www.example.com", "example.com"],
    product: "DV",
    validation: { method: "dns-txt" },
    contact: { name: "Ada Lovelace", email: "ada@example.com", phone: "+49 30 1234567" },
    ...overrides,
  };
}

function codesOf(input: OrderRequest, issuer: "public" | "private" = "public") {
  return problemCodes(validateOrderRequest(input, { issuer, now }));
}

describe("validateOrderRequest: a valid order", () => {
  it("normalizes names and fills in the defaults", () => {
    const input = request({ domains: ["WWW.Example.com.", "example.com", "www.example.com"] });

    const result = validateOrderRequest(input, { issuer: "public", now });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.names.map((name) => name.ascii)).toEqual([
      "www.example.com",
      "example.com",
    ]);
    expect(result.value.keySource).toEqual({ kind: "generated", keyType: "EC-P256" });
    expect(result.value.validityDays).toBe(200);
    expect(result.value.method).toBe("dns-txt");
    expect(result.value.approverEmail).toBeUndefined();
    expect(result.value.organization).toBeUndefined();
    expect(result.warnings.map((warning) => warning.code)).toEqual(["DUPLICATE_NAME"]);
    expect(result.value.warnings).toEqual(result.warnings);
  });

  it("takes the requested key type, validity and name count", () => {
    const input = request({ key: { type: "RSA-3072" }, validityDays: 90, purchasedNames: 2 });

    const result = validateOrderRequest(input, { issuer: "public", now });

    expect(result.ok && result.value.keySource).toEqual({ kind: "generated", keyType: "RSA-3072" });
    expect(result.ok && result.value.validityDays).toBe(90);
  });

  it("keeps an uploaded CSR as given (the PKI layer verifies it)", () => {
    const csrPem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";

    const result = validateOrderRequest(request({ csr: csrPem }), { issuer: "public", now });

    expect(result.ok && result.value.keySource).toEqual({ kind: "uploaded-csr", csrPem });
  });

  it.each(["OV", "EV"] as const)("accepts %s with an organization", (product) => {
    const input = request({ product, organization, ...(product === "EV" ? { ev } : {}) });

    const result = validateOrderRequest(input, { issuer: "public", now });

    expect(result.ok && result.value.organization).toEqual(organization);
  });

  it("accepts email validation with a warning after 2026-03-15 and keeps the approver", () => {
    const input = request({
      validation: { method: "email", approverEmail: " Admin@Example.com " },
    });

    const result = validateOrderRequest(input, { issuer: "public", now });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.approverEmail).toBe("admin@example.com");
    expect(result.warnings.map((warning) => warning.code)).toEqual(["EMAIL_VALIDATION_DEPRECATED"]);
  });

  it("lets a private CA issue for internal names", () => {
    expect(codesOf(request({ domains: ["intranet", "printer.local"] }), "private")).toEqual([]);
  });
});

describe("validateOrderRequest: refusals", () => {
  const wildcard = ["*.example.com", "example.com"];

  it.each<[string, Partial<OrderRequest>, string[]]>([
    ["no names", { domains: [] }, ["DOMAINS_EMPTY"]],
    ["a single-label name", { domains: ["server1"] }, ["SINGLE_LABEL"]],
    ["an internal name", { domains: ["intranet"] }, ["RESERVED_NAME"]],
    ["an IP address", { domains: ["192.0.2.1"] }, ["IP_ADDRESS"]],
    ["a public suffix", { domains: ["co.uk"] }, ["PUBLIC_SUFFIX"]],
    ["a name count other than purchased", { purchasedNames: 5 }, ["NAME_COUNT_MISMATCH"]],
    [
      "a wildcard with a file",
      { domains: wildcard, validation: { method: "http-file" } },
      ["WILDCARD_NEEDS_DNS"],
    ],
    ["email without approver", { validation: { method: "email" } }, ["APPROVER_REQUIRED"]],
    [
      "an approver outside the names",
      { validation: { method: "email", approverEmail: "admin@example.org" } },
      ["APPROVER_NOT_ALLOWED"],
    ],
    [
      "an approver with DNS",
      { validation: { method: "dns-txt", approverEmail: "admin@example.com" } },
      ["APPROVER_UNEXPECTED"],
    ],
    ["a validity too long", { validityDays: 365 }, ["VALIDITY_TOO_LONG"]],
    ["a validity of zero", { validityDays: 0 }, ["VALIDITY_INVALID"]],
    ["DV with an organization", { organization }, ["ORGANIZATION_NOT_ALLOWED"]],
    ["OV without organization", { product: "OV" }, ["ORGANIZATION_REQUIRED"]],
    ["EV without organization", { product: "EV", ev }, ["ORGANIZATION_REQUIRED"]],
    [
      "a lowercase country",
      { product: "OV", organization: { ...organization, country: "de" } },
      ["COUNTRY_INVALID"],
    ],
    [
      "a country name",
      { product: "OV", organization: { ...organization, country: "Germany" } },
      ["COUNTRY_INVALID"],
    ],
    [
      "an empty organization name",
      { product: "OV", organization: { ...organization, name: " " } },
      ["ORGANIZATION_INCOMPLETE"],
    ],
    ["EV with a wildcard", { product: "EV", organization, ev, domains: wildcard }, ["EV_WILDCARD"]],
    ["key and CSR", { key: { type: "EC-P384" }, csr: "-----BEGIN…" }, ["KEY_AND_CSR"]],
    [
      "an empty contact name",
      { contact: { name: "  ", email: "ada@example.com" } },
      ["CONTACT_NAME_REQUIRED"],
    ],
    [
      "a contact email without @",
      { contact: { name: "Ada", email: "ada.example.com" } },
      ["CONTACT_EMAIL_INVALID"],
    ],
    [
      "a contact email without a domain dot",
      { contact: { name: "Ada", email: "ada@localhost" } },
      ["CONTACT_EMAIL_INVALID"],
    ],
  ])("refuses %s", (_label, overrides, codes) => {
    expect(codesOf(request(overrides))).toEqual(codes);
  });

  it("refuses email validation on or after 2028-03-15", () => {
    const input = request({ validation: { method: "email", approverEmail: "admin@example.com" } });
    const at = (instant: string) => ({ issuer: "public" as const, now: new Date(instant) });

    const before = validateOrderRequest(input, at("2028-03-14T23:59:59Z"));
    const after = validateOrderRequest(input, at("2028-03-15T00:00:00Z"));

    expect(before.ok).toBe(true);
    expect(problemCodes(after)).toEqual(["EMAIL_VALIDATION_RETIRED"]);
  });

  it("collects every problem of the request, with the field of each", () => {
    const input: OrderRequest = {
      domains: ["foo", "*.example.com"],
      product: "EV",
      validation: { method: "email" },
      key: { type: "EC-P256" },
      csr: "pem",
      contact: { name: "Ada", email: "nope" },
      organization: { ...organization, country: "Deutschland" },
      validityDays: 1000,
    };

    const result = validateOrderRequest(input, {
      issuer: "public",
      now: new Date("2028-06-01T00:00:00Z"),
    });

    expect(problemsWithFields(result)).toEqual([
      ["SINGLE_LABEL", "domains[0]"],
      ["EMAIL_VALIDATION_RETIRED", "validation.method"],
      ["APPROVER_REQUIRED", "validation.approverEmail"],
      ["VALIDITY_TOO_LONG", "validityDays"],
      ["COUNTRY_INVALID", "organization.country"],
      ["EV_DETAILS_REQUIRED", "ev"],
      ["KEY_AND_CSR", "csr"],
      ["CONTACT_EMAIL_INVALID", "contact.email"],
      ["CONTACT_PHONE_REQUIRED", "contact.phone"],
    ]);
    for (const problem of result.ok ? [] : result.problems) {
      expect(problem.message.length).toBeGreaterThan(20);
    }
  });
});
