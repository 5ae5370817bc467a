import { describe, expect, it } from "vitest";
import {
  approverChoices,
  checkOrderForm,
  controlIdOf,
  csrShapeProblem,
  EMPTY_FORM,
  lineOfProblem,
  namesOf,
  type OrderForm,
  orderRequestOf,
} from "../../../console/src/order-form.ts";
import { normalizeDomainNames } from "../../../functions/domain/domain-names.ts";

const NOW = new Date("2027-01-10T08:00:00Z");
const filled: OrderForm = {
  ...EMPTY_FORM,
  names: "shop.example.com\n\n  www.shop.example.com  \n",
  contactName: "Ada",
  contactEmail: "ada@example.com",
};

function names(...input: string[]) {
  const checked = normalizeDomainNames(input, { issuer: "public" });
  if (!checked.ok) throw new Error("bad names");
  return checked.value;
}

describe("the new-order form", () => {
  it("makes the API's request: names one per line, the generated key, no organization for DV", () => {
    expect(orderRequestOf(filled)).toEqual({
      domains: ["shop.example.com", "www.shop.example.com"],
      product: "DV",
      validation: { method: "dns-txt" },
      key: { type: "EC-P256" },
      contact: { name: "Ada", email: "ada@example.com" },
    });
  });

  it("sends the CSR instead of a key, and an EV order's organization and registration", () => {
    const request = orderRequestOf({
      ...filled,
      product: "EV",
      haveCsr: true,
      csr: "-----BEGIN CERTIFICATE REQUEST-----",
      contactPhone: "+49 30 1234567",
      orgName: "Example GmbH",
      orgLocality: "Berlin",
      orgState: "Berlin",
      orgCountry: "DE",
      evJurisdictionCountry: "DE",
      evBusinessCategory: "Private Organization",
      evRegistrationNumber: "HRB 12345",
    });
    expect(request).toMatchObject({
      product: "EV",
      csr: "-----BEGIN CERTIFICATE REQUEST-----",
      contact: { phone: "+49 30 1234567" },
      organization: { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
      ev: {
        jurisdictionCountry: "DE",
        businessCategory: "Private Organization",
        registrationNumber: "HRB 12345",
      },
    });
    expect(request.key).toBeUndefined();
    expect(request.organization).not.toHaveProperty("unit");
  });

  it("sends one approver for every name, or one per name", () => {
    expect(
      orderRequestOf({ ...filled, method: "email", approverEmail: "admin@example.com" }).validation,
    ).toEqual({
      method: "email",
      approverEmail: "admin@example.com",
    });
    expect(
      orderRequestOf({
        ...filled,
        method: "email",
        approverEmails: { "shop.example.com": "admin@example.com" },
      }).validation,
    ).toEqual({ method: "email", approverEmails: { "shop.example.com": "admin@example.com" } });
  });

  it("checks with the API's own rules, every problem tied to its control and line", () => {
    const form = {
      ...filled,
      names: "shop.example.com\n\nbad..example.com\n*.example.com",
      method: "http-file" as const,
      contactEmail: "ada@",
    };
    const check = checkOrderForm(form, "public", NOW);
    const byControl = check.problems.map((problem) => [
      problem.code,
      controlIdOf(problem.field),
      lineOfProblem(problem.field, form.names),
    ]);
    expect(byControl).toEqual(
      expect.arrayContaining([
        ["LABEL_EMPTY", "order-names", 3],
        ["CONTACT_EMAIL_INVALID", "order-contact-email", undefined],
      ]),
    );
    expect(check.names).toBeUndefined();
    const namesFine = checkOrderForm({ ...form, names: "shop.example.com" }, "public", NOW);
    expect(namesFine.names?.map((name) => name.ascii)).toEqual(["shop.example.com"]);
    expect(namesFine.problems.map((problem) => problem.code)).toEqual(["CONTACT_EMAIL_INVALID"]);
  });

  it("gives the names as the certificate holds them when they are fine, and warns of duplicates", () => {
    const check = checkOrderForm(
      { ...filled, names: "Bücher.example.com\nbücher.example.com" },
      "public",
      NOW,
    );
    expect(check.problems).toEqual([]);
    expect(check.names?.map((name) => name.ascii)).toEqual(["xn--bcher-kva.example.com"]);
    expect(check.warnings.map((warning) => warning.code)).toEqual(["DUPLICATE_NAME"]);
  });

  it("asks an OV order for its organization and phone, refusing a reserved name for a public CA only", () => {
    const ov = checkOrderForm(
      { ...filled, names: "shop.example.test", product: "OV" },
      "public",
      NOW,
    );
    expect(ov.problems.map((problem) => controlIdOf(problem.field))).toEqual(
      expect.arrayContaining(["order-names", "order-contact-phone", "order-org-name"]),
    );
    const privateCa = checkOrderForm({ ...filled, names: "shop.example.test" }, "private", NOW);
    expect(privateCa.problems).toEqual([]);
  });

  it("offers the approver addresses every name shares, else a list per name", () => {
    const shared = approverChoices(names("shop.example.com", "www.shop.example.com"));
    expect(shared).toEqual({
      kind: "shared",
      addresses: [
        "admin@shop.example.com",
        "administrator@shop.example.com",
        "webmaster@shop.example.com",
        "hostmaster@shop.example.com",
        "postmaster@shop.example.com",
        "admin@example.com",
        "administrator@example.com",
        "webmaster@example.com",
        "hostmaster@example.com",
        "postmaster@example.com",
      ],
    });
    const split = approverChoices(names("example.com", "example.org"));
    expect(split.kind).toBe("per-name");
    if (split.kind === "per-name") {
      expect(split.names.map((entry) => entry.addresses[0])).toEqual([
        "admin@example.com",
        "admin@example.org",
      ]);
    }
  });

  it("reads the names' lines, skipping blank ones", () => {
    expect(namesOf("a.example\n\n b.example \r\n")).toEqual([
      { name: "a.example", line: 1 },
      { name: "b.example", line: 3 },
    ]);
  });

  it("looks at a pasted CSR's shape before sending it, and never lets a private key go", () => {
    expect(csrShapeProblem("")).toMatch(/Paste the CSR/);
    expect(csrShapeProblem("MIIB...")).toMatch(/not PEM/);
    expect(csrShapeProblem("-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----")).toMatch(
      /private key/,
    );
    expect(csrShapeProblem("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----")).toMatch(
      /CERTIFICATE, not a CSR/,
    );
    expect(csrShapeProblem("-----BEGIN CERTIFICATE REQUEST-----\nMII")).toMatch(/END line/);
    expect(
      csrShapeProblem(
        "-----BEGIN CERTIFICATE REQUEST-----\nMII\n-----END CERTIFICATE REQUEST-----",
      ),
    ).toBeUndefined();
  });
});
