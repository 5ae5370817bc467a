import {
  BUSINESS_CATEGORIES,
  type EvDetails,
  type Organization,
  type ProductName,
} from "../domain/order-record.ts";

/**
 * What a leaf certificate says about its subject: the product decides which of the order's
 * details appear. A CA takes these from the order it validated, never from the CSR's subject.
 */
export interface LeafSubject {
  readonly product: ProductName;
  /** OV and EV: the organization the certificate names. */
  readonly organization?: Organization;
  /** EV: where the organization is registered and as what. */
  readonly ev?: EvDetails;
}

/** CA/Browser Forum reserved certificate policy identifiers (Baseline Requirements 7.1.6.1). */
export const POLICY_OIDS = {
  DV: "2.23.140.1.2.1",
  OV: "2.23.140.1.2.2",
  EV: "2.23.140.1.1",
} as const satisfies Record<ProductName, string>;

/** The subject attributes a leaf certificate may carry (X.520, and EV Guidelines 7.1.4.2). */
export const ATTRIBUTE_OIDS = {
  businessCategory: "2.5.4.15",
  jurisdictionCountryName: "1.3.6.1.4.1.311.60.2.1.3",
  jurisdictionStateOrProvinceName: "1.3.6.1.4.1.311.60.2.1.2",
  jurisdictionLocalityName: "1.3.6.1.4.1.311.60.2.1.1",
  serialNumber: "2.5.4.5",
  countryName: "2.5.4.6",
  stateOrProvinceName: "2.5.4.8",
  localityName: "2.5.4.7",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  commonName: "2.5.4.3",
} as const;

export type AttributeName = keyof typeof ATTRIBUTE_OIDS;

/** One single-valued RDN of the subject, with the string type it is encoded as. */
export interface SubjectAttribute {
  readonly name: AttributeName;
  readonly oid: string;
  readonly value: string;
  readonly encoding: "printableString" | "utf8String";
}

/** The leaf's subject cannot be built from what was given (missing or malformed details). */
export class LeafSubjectError extends Error {
  override readonly name = "LeafSubjectError";
}

/** X.520 upper bounds in characters (countries are exactly two letters). */
const UPPER_BOUNDS: Partial<Record<AttributeName, number>> = {
  commonName: 64,
  organizationName: 64,
  organizationalUnitName: 64,
  localityName: 128,
  stateOrProvinceName: 128,
  jurisdictionLocalityName: 128,
  jurisdictionStateOrProvinceName: 128,
  businessCategory: 128,
  serialNumber: 64,
};

/** Attributes that X.520 (and the EV Guidelines) type as PrintableString; all others UTF8String. */
const PRINTABLE: ReadonlySet<AttributeName> = new Set([
  "countryName",
  "jurisdictionCountryName",
  "serialNumber",
]);

const PRINTABLE_STRING = /^[A-Za-z0-9 '()+,\-./:=?]+$/;
const COUNTRY = /^[A-Z]{2}$/;

/**
 * The leaf's subject, one RDN per attribute, in the conventional order from the broadest
 * (EV's registration, then C, ST, L, O, OU) down to CN:
 * - DV: CN only;
 * - OV: C, ST, L, O, OU (when given), CN;
 * - EV: businessCategory, jurisdictionC/ST/L (ST and L when given), serialNumber (the
 *   registration number), C, ST, L, O, CN.
 * CN is left out when `commonName` is undefined (a first name over 64 characters). Values are
 * trimmed; a missing or malformed detail the product needs throws a LeafSubjectError.
 */
export function leafSubjectAttributes(
  commonName: string | undefined,
  subject: LeafSubject,
): SubjectAttribute[] {
  const attributes: SubjectAttribute[] = [];
  const add = (name: AttributeName, raw: string | undefined, required = true) => {
    const value = raw?.trim() ?? "";
    if (value === "") {
      if (required) {
        throw new LeafSubjectError(`A ${subject.product} certificate needs the ${name} attribute.`);
      }
      return;
    }
    const bound = UPPER_BOUNDS[name];
    if (bound !== undefined && [...value].length > bound) {
      throw new LeafSubjectError(`The ${name} is longer than the ${bound} characters it may hold.`);
    }
    const printable = PRINTABLE.has(name);
    if (printable && !PRINTABLE_STRING.test(value)) {
      throw new LeafSubjectError(`The ${name} '${value}' has characters a PrintableString lacks.`);
    }
    if ((name === "countryName" || name === "jurisdictionCountryName") && !COUNTRY.test(value)) {
      throw new LeafSubjectError(`The ${name} must be two capital letters, not '${value}'.`);
    }
    attributes.push({
      name,
      oid: ATTRIBUTE_OIDS[name],
      value,
      encoding: printable ? "printableString" : "utf8String",
    });
  };

  if (subject.product === "EV") {
    const ev = subject.ev;
    if (ev === undefined) {
      throw new LeafSubjectError(
        "An EV certificate needs the organization's registration details.",
      );
    }
    if (!(BUSINESS_CATEGORIES as readonly string[]).includes(ev.businessCategory.trim())) {
      throw new LeafSubjectError(`'${ev.businessCategory}' is not an EV business category.`);
    }
    add("businessCategory", ev.businessCategory);
    add("jurisdictionCountryName", ev.jurisdictionCountry);
    add("jurisdictionStateOrProvinceName", ev.jurisdictionState, false);
    add("jurisdictionLocalityName", ev.jurisdictionLocality, false);
    add("serialNumber", ev.registrationNumber);
  }
  if (subject.product !== "DV") {
    const organization = subject.organization;
    if (organization === undefined) {
      throw new LeafSubjectError(
        `A ${subject.product} certificate needs the organization's details.`,
      );
    }
    add("countryName", organization.country);
    add("stateOrProvinceName", organization.state);
    add("localityName", organization.locality);
    add("organizationName", organization.name);
    if (subject.product === "OV") add("organizationalUnitName", organization.unit, false);
  }
  add("commonName", commonName, false);
  return attributes;
}

/** The certificate policy the leaf asserts: the CA/Browser Forum OID of its product. */
export function leafPolicyOid(product: ProductName): string {
  return POLICY_OIDS[product];
}
