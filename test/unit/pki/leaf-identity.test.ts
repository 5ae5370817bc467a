import { describe, expect, it } from "vitest";
import type { EvDetails, Organization } from "../../../functions/domain/order-record.ts";
import {
  type LeafSubject,
  LeafSubjectError,
  leafPolicyOid,
  leafSubjectAttributes,
} from "../../../functions/pki/leaf-identity.ts";

const organization: Organization = {
  name: "Example GmbH",
  unit: "IT",
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

/** The attributes as `name=value/encoding`, in subject order. */
const subjectOf = (subject: LeafSubject, commonName: string | undefined = "shop.example.com") =>
  leafSubjectAttributes(commonName, subject).map(
    (attribute) => `${attribute.name}=${attribute.value}/${attribute.encoding}`,
  );

describe("leafSubjectAttributes", () => {
  it("gives a DV certificate its CN only, whatever organization details come along", () => {
    expect(subjectOf({ product: "DV" })).toEqual(["commonName=shop.example.com/utf8String"]);
    expect(subjectOf({ product: "DV", organization, ev })).toEqual([
      "commonName=shop.example.com/utf8String",
    ]);
  });

  it("gives an OV certificate C, ST, L, O, OU and CN; C as a PrintableString", () => {
    expect(subjectOf({ product: "OV", organization })).toEqual([
      "countryName=DE/printableString",
      "stateOrProvinceName=Berlin/utf8String",
      "localityName=Berlin/utf8String",
      "organizationName=Example GmbH/utf8String",
      "organizationalUnitName=IT/utf8String",
      "commonName=shop.example.com/utf8String",
    ]);
  });

  it("leaves out an OV unit that is not given or blank", () => {
    const { unit: _unit, ...withoutUnit } = organization;
    const names = (subject: LeafSubject) =>
      leafSubjectAttributes("a.example", subject).map((attribute) => attribute.name);
    expect(names({ product: "OV", organization: withoutUnit })).not.toContain(
      "organizationalUnitName",
    );
    expect(names({ product: "OV", organization: { ...organization, unit: " " } })).not.toContain(
      "organizationalUnitName",
    );
  });

  it("gives an EV certificate its registration (EV Guidelines 7.1.4.2) and no OU", () => {
    expect(subjectOf({ product: "EV", organization, ev })).toEqual([
      "businessCategory=Private Organization/utf8String",
      "jurisdictionCountryName=DE/printableString",
      "jurisdictionStateOrProvinceName=Berlin/utf8String",
      "jurisdictionLocalityName=Charlottenburg/utf8String",
      "serialNumber=HRB 12345 B/printableString",
      "countryName=DE/printableString",
      "stateOrProvinceName=Berlin/utf8String",
      "localityName=Berlin/utf8String",
      "organizationName=Example GmbH/utf8String",
      "commonName=shop.example.com/utf8String",
    ]);
  });

  it("leaves out EV jurisdiction state and locality when not given", () => {
    const national = {
      jurisdictionCountry: "US",
      businessCategory: "Government Entity",
      registrationNumber: "Government Entity",
    };
    expect(subjectOf({ product: "EV", organization, ev: national }).slice(0, 3)).toEqual([
      "businessCategory=Government Entity/utf8String",
      "jurisdictionCountryName=US/printableString",
      "serialNumber=Government Entity/printableString",
    ]);
  });

  it("uses the registered attribute OIDs", () => {
    const oids = Object.fromEntries(
      leafSubjectAttributes("a.example", { product: "EV", organization, ev }).map((attribute) => [
        attribute.name,
        attribute.oid,
      ]),
    );
    expect(oids).toEqual({
      businessCategory: "2.5.4.15",
      jurisdictionCountryName: "1.3.6.1.4.1.311.60.2.1.3",
      jurisdictionStateOrProvinceName: "1.3.6.1.4.1.311.60.2.1.2",
      jurisdictionLocalityName: "1.3.6.1.4.1.311.60.2.1.1",
      serialNumber: "2.5.4.5",
      countryName: "2.5.4.6",
      stateOrProvinceName: "2.5.4.8",
      localityName: "2.5.4.7",
      organizationName: "2.5.4.10",
      commonName: "2.5.4.3",
    });
  });

  it("leaves out the CN when there is none (a first name over 64 characters)", () => {
    expect(leafSubjectAttributes(undefined, { product: "DV" })).toEqual([]);
    const names = leafSubjectAttributes(undefined, { product: "OV", organization }).map(
      (attribute) => attribute.name,
    );
    expect(names).toEqual([
      "countryName",
      "stateOrProvinceName",
      "localityName",
      "organizationName",
      "organizationalUnitName",
    ]);
  });

  it("trims the values it is given", () => {
    expect(
      subjectOf({ product: "OV", organization: { ...organization, name: "  Example GmbH " } }),
    ).toContain("organizationName=Example GmbH/utf8String");
  });

  it.each<[string, LeafSubject, string]>([
    ["OV without organization", { product: "OV" }, "needs the organization's details"],
    ["EV without organization", { product: "EV", ev }, "needs the organization's details"],
    ["EV without registration details", { product: "EV", organization }, "registration details"],
    [
      "an unknown business category",
      { product: "EV", organization, ev: { ...ev, businessCategory: "GmbH" } },
      "not an EV business category",
    ],
    [
      "an empty registration number",
      { product: "EV", organization, ev: { ...ev, registrationNumber: " " } },
      "needs the serialNumber attribute",
    ],
    [
      "a registration number outside PrintableString",
      { product: "EV", organization, ev: { ...ev, registrationNumber: "HRB_1" } },
      "PrintableString",
    ],
    [
      "a lowercase country",
      { product: "OV", organization: { ...organization, country: "de" } },
      "two capital letters",
    ],
    [
      "a jurisdiction country name",
      { product: "EV", organization, ev: { ...ev, jurisdictionCountry: "Germany" } },
      "two capital letters",
    ],
    [
      "an O over 64 characters",
      { product: "OV", organization: { ...organization, name: "x".repeat(65) } },
      "organizationName is longer than the 64",
    ],
    [
      "an L over 128 characters",
      { product: "OV", organization: { ...organization, locality: "x".repeat(129) } },
      "localityName is longer than the 128",
    ],
    [
      "an empty organization name",
      { product: "OV", organization: { ...organization, name: "" } },
      "needs the organizationName attribute",
    ],
  ])("refuses %s", (_label, subject, message) => {
    expect(() => leafSubjectAttributes("a.example", subject)).toThrow(LeafSubjectError);
    expect(() => leafSubjectAttributes("a.example", subject)).toThrow(message);
  });
});

describe("leafPolicyOid", () => {
  it("is the CA/Browser Forum OID of each product", () => {
    expect(leafPolicyOid("DV")).toBe("2.23.140.1.2.1");
    expect(leafPolicyOid("OV")).toBe("2.23.140.1.2.2");
    expect(leafPolicyOid("EV")).toBe("2.23.140.1.1");
  });
});
