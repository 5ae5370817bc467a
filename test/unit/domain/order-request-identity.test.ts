import { describe, expect, it } from "vitest";
import { BUSINESS_CATEGORIES, type EvDetails } from "../../../functions/domain/order-record.ts";
import {
  type OrderRequest,
  type OrganizationDetails,
  validateOrderRequest,
} from "../../../functions/domain/order-request.ts";
import { problemCodes, problemsWithFields } from "./result-problems.ts";

// What OV/EV certificates say about the organization: its details, EV registration, the phone.

const now = new Date("2026-05-01T10:00:00Z");
const organization: OrganizationDetails = {
  name: "Example GmbH",
  locality: "Berlin",
  state: "Berlin",
  country: "DE",
};
const ev: EvDetails = {
  jurisdictionCountry: "DE",
  jurisdictionState: "Berlin",
  jurisdictionLocality: "Charlottenburg",
  businessCategory: "Private Organization",
  registrationNumber: "HRB 12345 B",
};
const contact = { name: "Ada Lovelace", email: "ada@example.com", phone: "+49 30 1234567" };

function evRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    domains: ["www.example.com"],
    product: "EV",
    validation: { method: "dns-txt" },
    contact,
    organization,
    ev,
    ...overrides,
  };
}

const validate = (input: OrderRequest) => validateOrderRequest(input, { issuer: "public", now });
const codesOf = (input: OrderRequest) => problemCodes(validate(input));
const withEv = (changes: Partial<Record<keyof EvDetails, string | undefined>>) =>
  evRequest({ ev: { ...ev, ...changes } as EvDetails });
const withOrganization = (changes: Partial<OrganizationDetails>) =>
  evRequest({ product: "OV", ev: undefined, organization: { ...organization, ...changes } });

describe("validateOrderRequest: EV registration details", () => {
  it("carries ev through, trimmed, with empty jurisdiction state and locality left out", () => {
    const result = validate(
      withEv({
        jurisdictionCountry: " US ",
        jurisdictionState: " Delaware ",
        jurisdictionLocality: "  ",
        businessCategory: " Private Organization ",
        registrationNumber: " 1234567 ",
      }),
    );

    expect(result.ok && result.value.ev).toEqual({
      jurisdictionCountry: "US",
      jurisdictionState: "Delaware",
      businessCategory: "Private Organization",
      registrationNumber: "1234567",
    });
  });

  it.each(BUSINESS_CATEGORIES)("accepts the business category '%s'", (businessCategory) => {
    expect(codesOf(withEv({ businessCategory }))).toEqual([]);
  });

  it("lets a Government Entity send 'Government Entity' as its registration number", () => {
    const input = withEv({
      businessCategory: "Government Entity",
      registrationNumber: "Government Entity",
      jurisdictionState: undefined,
      jurisdictionLocality: undefined,
    });

    expect(codesOf(input)).toEqual([]);
  });

  it.each<[string, OrderRequest, [string, string][]]>([
    ["EV without ev", evRequest({ ev: undefined }), [["EV_DETAILS_REQUIRED", "ev"]]],
    [
      "ev on a DV order",
      evRequest({ product: "DV", organization: undefined }),
      [["EV_DETAILS_NOT_ALLOWED", "ev"]],
    ],
    ["ev on an OV order", evRequest({ product: "OV" }), [["EV_DETAILS_NOT_ALLOWED", "ev"]]],
    [
      "a lowercase jurisdiction country",
      withEv({ jurisdictionCountry: "de" }),
      [["JURISDICTION_COUNTRY_INVALID", "ev.jurisdictionCountry"]],
    ],
    [
      "a jurisdiction country name",
      withEv({ jurisdictionCountry: "Germany" }),
      [["JURISDICTION_COUNTRY_INVALID", "ev.jurisdictionCountry"]],
    ],
    [
      "an empty jurisdiction country",
      withEv({ jurisdictionCountry: "" }),
      [["JURISDICTION_COUNTRY_INVALID", "ev.jurisdictionCountry"]],
    ],
    [
      "a business category of the wrong case",
      withEv({ businessCategory: "private organization" }),
      [["BUSINESS_CATEGORY_INVALID", "ev.businessCategory"]],
    ],
    [
      "a business category not in the EV Guidelines",
      withEv({ businessCategory: "Sole Proprietorship" }),
      [["BUSINESS_CATEGORY_INVALID", "ev.businessCategory"]],
    ],
    [
      "an empty registration number",
      withEv({ registrationNumber: "   " }),
      [["EV_DETAILS_INCOMPLETE", "ev.registrationNumber"]],
    ],
    [
      "a registration number over 64 characters",
      withEv({ registrationNumber: "1".repeat(65) }),
      [["EV_FIELD_TOO_LONG", "ev.registrationNumber"]],
    ],
    [
      "a registration number outside PrintableString",
      withEv({ registrationNumber: "HRB_12345#" }),
      [["REGISTRATION_NUMBER_INVALID", "ev.registrationNumber"]],
    ],
    [
      "a jurisdiction state over 128 characters",
      withEv({ jurisdictionState: "S".repeat(129) }),
      [["EV_FIELD_TOO_LONG", "ev.jurisdictionState"]],
    ],
    [
      "a jurisdiction locality over 128 characters",
      withEv({ jurisdictionLocality: "L".repeat(129) }),
      [["EV_FIELD_TOO_LONG", "ev.jurisdictionLocality"]],
    ],
  ])("refuses %s", (_label, input, expected) => {
    expect(problemsWithFields(validate(input))).toEqual(expected);
  });

  it("collects every problem of ev at once, each message naming its field", () => {
    const result = validate(
      withEv({
        jurisdictionCountry: "Deutschland",
        businessCategory: "GmbH",
        registrationNumber: "",
      }),
    );

    expect(problemsWithFields(result)).toEqual([
      ["JURISDICTION_COUNTRY_INVALID", "ev.jurisdictionCountry"],
      ["BUSINESS_CATEGORY_INVALID", "ev.businessCategory"],
      ["EV_DETAILS_INCOMPLETE", "ev.registrationNumber"],
    ]);
    for (const problem of result.ok ? [] : result.problems) {
      expect(problem.message).toContain(problem.field);
    }
  });

  it("says in each refusal what to send", () => {
    const messages = (input: OrderRequest) => {
      const result = validate(input);
      return result.ok ? [] : result.problems.map((problem) => problem.message);
    };

    expect(messages(evRequest({ ev: undefined }))[0]).toMatch(
      /jurisdictionCountry, businessCategory and registrationNumber/,
    );
    expect(messages(evRequest({ product: "OV" }))[0]).toMatch(/leave ev out/);
    expect(messages(withEv({ businessCategory: "x" }))[0]).toContain(
      "'Private Organization', 'Government Entity', 'Business Entity', 'Non-Commercial Entity'",
    );
    expect(messages(withEv({ registrationNumber: "" }))[0]).toContain("'Government Entity'");
  });
});

describe("validateOrderRequest: organization details within X.520 bounds", () => {
  it("trims the organization and leaves out an empty unit", () => {
    const result = validate(
      withOrganization({
        name: "  Example GmbH ",
        unit: "  ",
        locality: " Berlin",
        state: "Berlin ",
        country: " DE ",
      }),
    );

    expect(result.ok && result.value.organization).toEqual(organization);
  });

  it("accepts each field at its bound", () => {
    const input = withOrganization({
      name: "N".repeat(64),
      unit: "U".repeat(64),
      locality: "L".repeat(128),
      state: "S".repeat(128),
    });

    expect(codesOf(input)).toEqual([]);
  });

  it("counts characters, not UTF-16 units or bytes", () => {
    expect(codesOf(withOrganization({ name: "Ä".repeat(64) }))).toEqual([]);
    expect(codesOf(withOrganization({ name: "𝔄".repeat(64) }))).toEqual([]);
  });

  it("bounds the trimmed value: spaces around a full-length name do not count", () => {
    expect(codesOf(withOrganization({ name: ` ${"N".repeat(64)} ` }))).toEqual([]);
  });

  it.each<[keyof OrganizationDetails, number, string]>([
    ["name", 65, "O attribute holds at most 64"],
    ["unit", 65, "OU attribute holds at most 64"],
    ["locality", 129, "L attribute holds at most 128"],
    ["state", 129, "ST attribute holds at most 128"],
  ])("refuses organization.%s of %i characters", (key, length, wording) => {
    const result = validate(withOrganization({ [key]: "x".repeat(length) }));

    expect(problemsWithFields(result)).toEqual([
      ["ORGANIZATION_FIELD_TOO_LONG", `organization.${key}`],
    ]);
    expect(result.ok ? "" : result.problems[0]?.message).toContain(wording);
  });
});

describe("validateOrderRequest: the applicant's phone", () => {
  it.each(["OV", "EV"] as const)("refuses %s without contact.phone", (product) => {
    const input = evRequest({
      product,
      ...(product === "OV" ? { ev: undefined } : {}),
      contact: { name: "Ada", email: "ada@example.com" },
    });

    expect(problemsWithFields(validate(input))).toEqual([
      ["CONTACT_PHONE_REQUIRED", "contact.phone"],
    ]);
  });

  it.each(["", "   ", "n/a"])("refuses an OV phone of '%s' (no digits to call)", (phone) => {
    const input = withOrganization({});
    expect(codesOf({ ...input, contact: { ...contact, phone } })).toEqual([
      "CONTACT_PHONE_REQUIRED",
    ]);
  });

  it("does not ask DV orders for a phone", () => {
    const input = evRequest({
      product: "DV",
      organization: undefined,
      ev: undefined,
      contact: { name: "Ada", email: "ada@example.com" },
    });

    expect(codesOf(input)).toEqual([]);
  });
});
