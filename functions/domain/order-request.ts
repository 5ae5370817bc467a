import {
  checkValidationMethod,
  normalizeApproverEmail,
  type ValidationMethod,
} from "./dcv-methods.ts";
import { type DomainName, type Issuer, normalizeDomainNames } from "./domain-names.ts";
import { DEFAULT_KEY_TYPE, type KeyType } from "./key-types.ts";
import { BUSINESS_CATEGORIES, type EvDetails } from "./order-record.ts";
import type { Problem, Result } from "./problems.ts";
import { resolveValidityDays } from "./validity-policy.ts";

export type Product = "DV" | "OV" | "EV";

export interface OrganizationDetails {
  name: string;
  unit?: string;
  locality: string;
  state: string;
  country: string;
}

export interface OrderRequest {
  domains: readonly string[];
  product: Product;
  validation: {
    method: ValidationMethod;
    approverEmail?: string;
    approverEmails?: Readonly<Record<string, string>>;
  };
  key?: { type: KeyType };
  csr?: string;
  contact: { name: string; email: string; phone?: string };
  organization?: OrganizationDetails;
  /** EV only: where the organization is registered and as what. */
  ev?: EvDetails;
  validityDays?: number;
  purchasedNames?: number;
  /** Check each name's HTTPS server right after issuance. */
  installationCheck?: boolean;
}

export type KeySourceRequest =
  | { kind: "generated"; keyType: KeyType }
  | { kind: "uploaded-csr"; csrPem: string };

export interface ValidatedOrderRequest {
  names: DomainName[];
  product: Product;
  method: ValidationMethod;
  approverEmail?: string;
  /** Email validation: who approves each name, by ASCII name. */
  approvers?: Record<string, string>;
  keySource: KeySourceRequest;
  contact: { name: string; email: string; phone?: string };
  /** Trimmed; an empty unit is left out. */
  organization?: OrganizationDetails;
  /** EV only, trimmed; empty jurisdiction state or locality left out. */
  ev?: EvDetails;
  validityDays: number;
  /** Present (true) only when asked for. */
  installationCheck?: true;
  warnings: Problem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COUNTRY = /^[A-Z]{2}$/;

/** The X.520 upper bounds (characters) of the subject attributes the organization fills. */
const ORGANIZATION_BOUNDS = [
  ["name", "O", 64],
  ["unit", "OU", 64],
  ["locality", "L", 128],
  ["state", "ST", 128],
] as const;

/** X.520 bounds of the EV attributes: serialNumber (ub-serial-number), jurisdiction L and ST. */
const EV_BOUNDS = [
  ["registrationNumber", "serialNumber", 64],
  ["jurisdictionState", "jurisdictionStateOrProvinceName", 128],
  ["jurisdictionLocality", "jurisdictionLocalityName", 128],
] as const;

/** serialNumber is a PrintableString: these characters only. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

const characters = (text: string) => [...text].length;

/** Present and not blank, trimmed; otherwise undefined. */
function trimmedOptional(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function trimmedOrganization(organization: OrganizationDetails): OrganizationDetails {
  const unit = trimmedOptional(organization.unit);
  return {
    name: organization.name.trim(),
    ...(unit === undefined ? {} : { unit }),
    locality: organization.locality.trim(),
    state: organization.state.trim(),
    country: organization.country.trim(),
  };
}

function trimmedEv(ev: EvDetails): EvDetails {
  const jurisdictionState = trimmedOptional(ev.jurisdictionState);
  const jurisdictionLocality = trimmedOptional(ev.jurisdictionLocality);
  return {
    jurisdictionCountry: ev.jurisdictionCountry.trim(),
    ...(jurisdictionState === undefined ? {} : { jurisdictionState }),
    ...(jurisdictionLocality === undefined ? {} : { jurisdictionLocality }),
    businessCategory: ev.businessCategory.trim(),
    registrationNumber: ev.registrationNumber.trim(),
  };
}

function organizationProblems(request: Pick<OrderRequest, "product" | "organization">): Problem[] {
  const organization =
    request.organization === undefined ? undefined : trimmedOrganization(request.organization);
  if (request.product === "DV") {
    return organization === undefined
      ? []
      : [
          {
            code: "ORGANIZATION_NOT_ALLOWED",
            message:
              "DV certificates cannot contain organization details; leave organization out, or order OV or EV.",
            field: "organization",
          },
        ];
  }
  if (organization === undefined) {
    return [
      {
        code: "ORGANIZATION_REQUIRED",
        message: `${request.product} certificates name your organization: give organization with name, locality, state and country.`,
        field: "organization",
      },
    ];
  }
  const problems: Problem[] = [];
  for (const key of ["name", "locality", "state"] as const) {
    if (organization[key] === "") {
      problems.push({
        code: "ORGANIZATION_INCOMPLETE",
        message: `organization.${key} is empty; ${request.product} certificates need it.`,
        field: `organization.${key}`,
      });
    }
  }
  for (const [key, attribute, bound] of ORGANIZATION_BOUNDS) {
    const value = organization[key];
    if (value !== undefined && characters(value) > bound) {
      problems.push({
        code: "ORGANIZATION_FIELD_TOO_LONG",
        message: `organization.${key} has ${characters(value)} characters; the certificate's ${attribute} attribute holds at most ${bound} (X.520): send it shortened or abbreviated.`,
        field: `organization.${key}`,
      });
    }
  }
  if (!COUNTRY.test(organization.country)) {
    problems.push({
      code: "COUNTRY_INVALID",
      message: `organization.country must be a two-letter ISO 3166 country code in capitals, such as DE or US; '${organization.country}' is not.`,
      field: "organization.country",
    });
  }
  return problems;
}

function evProblems(request: Pick<OrderRequest, "product" | "ev">): Problem[] {
  if (request.product !== "EV") {
    return request.ev === undefined
      ? []
      : [
          {
            code: "EV_DETAILS_NOT_ALLOWED",
            message: `ev (registration details) belongs to EV orders only; leave ev out of this ${request.product} order, or order EV.`,
            field: "ev",
          },
        ];
  }
  if (request.ev === undefined) {
    return [
      {
        code: "EV_DETAILS_REQUIRED",
        message:
          "EV certificates name where your organization is registered: give ev with jurisdictionCountry, businessCategory and registrationNumber (and jurisdictionState or jurisdictionLocality when the registry is a state's or a city's).",
        field: "ev",
      },
    ];
  }
  const ev = trimmedEv(request.ev);
  const problems: Problem[] = [];
  if (!COUNTRY.test(ev.jurisdictionCountry)) {
    problems.push({
      code: "JURISDICTION_COUNTRY_INVALID",
      message: `ev.jurisdictionCountry must be the two-letter ISO 3166 code, in capitals, of the country whose registry holds your organization, such as DE or US; '${request.ev.jurisdictionCountry}' is not.`,
      field: "ev.jurisdictionCountry",
    });
  }
  if (!(BUSINESS_CATEGORIES as readonly string[]).includes(ev.businessCategory)) {
    problems.push({
      code: "BUSINESS_CATEGORY_INVALID",
      message: `ev.businessCategory must be exactly one of ${BUSINESS_CATEGORIES.map((category) => `'${category}'`).join(", ")}; '${request.ev.businessCategory}' is not.`,
      field: "ev.businessCategory",
    });
  }
  if (ev.registrationNumber === "") {
    problems.push({
      code: "EV_DETAILS_INCOMPLETE",
      message:
        "ev.registrationNumber is empty; send the number the registry gave your organization (a Government Entity without one sends 'Government Entity').",
      field: "ev.registrationNumber",
    });
  }
  for (const [key, attribute, bound] of EV_BOUNDS) {
    const value = ev[key];
    if (value !== undefined && characters(value) > bound) {
      problems.push({
        code: "EV_FIELD_TOO_LONG",
        message: `ev.${key} has ${characters(value)} characters; the certificate's ${attribute} attribute holds at most ${bound} (X.520): send it shortened.`,
        field: `ev.${key}`,
      });
    }
  }
  if (ev.registrationNumber !== "" && !PRINTABLE.test(ev.registrationNumber)) {
    problems.push({
      code: "REGISTRATION_NUMBER_INVALID",
      message: `ev.registrationNumber becomes the certificate's serialNumber, which holds only letters A-Z and a-z, digits, spaces and ' ( ) + , - . / : = ?; '${request.ev.registrationNumber}' has other characters: send the number as the registry writes it in those characters.`,
      field: "ev.registrationNumber",
    });
  }
  return problems;
}

function contactProblems(contact: OrderRequest["contact"], product: Product): Problem[] {
  const problems: Problem[] = [];
  if (contact.name.trim() === "") {
    problems.push({
      code: "CONTACT_NAME_REQUIRED",
      message: "contact.name is empty; name the person we may contact about this order.",
      field: "contact.name",
    });
  }
  if (!EMAIL.test(contact.email.trim())) {
    problems.push({
      code: "CONTACT_EMAIL_INVALID",
      message: `'${contact.email}' does not look like an email address.`,
      field: "contact.email",
    });
  }
  // OV/EV: the CA may call the applicant to confirm the order.
  if (product !== "DV" && !/\d/.test(contact.phone ?? "")) {
    problems.push({
      code: "CONTACT_PHONE_REQUIRED",
      message: `${product} orders need contact.phone, a number the CA may call the applicant on to confirm the order, such as +49 30 1234567.`,
      field: "contact.phone",
    });
  }
  return problems;
}

/** What an OV/EV order says about who asks: checked at submission and on resubmission. */
export interface ApplicantDetails {
  organization?: OrganizationDetails;
  ev?: EvDetails;
  contact: { name: string; email: string; phone?: string };
}

/** The organization, EV and contact rules of an order of `product`, alone (a resubmission). */
export function validateApplicantDetails(
  product: Product,
  details: ApplicantDetails,
): Result<ApplicantDetails> {
  const problems = [
    ...organizationProblems({ product, ...details }),
    ...evProblems({ product, ...details }),
    ...contactProblems(details.contact, product),
  ];
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    warnings: [],
    value: {
      contact: { ...details.contact, email: details.contact.email.trim() },
      ...(details.organization === undefined
        ? {}
        : { organization: trimmedOrganization(details.organization) }),
      ...(details.ev === undefined ? {} : { ev: trimmedEv(details.ev) }),
    },
  };
}

/** Every rule an order must meet before anything is stored; collects every problem. */
export function validateOrderRequest(
  request: OrderRequest,
  context: { issuer: Issuer; now: Date },
): Result<ValidatedOrderRequest> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const names = normalizeDomainNames(request.domains, {
    issuer: context.issuer,
    purchasedNames: request.purchasedNames,
  });
  if (names.ok) warnings.push(...names.warnings);
  else problems.push(...names.problems);

  // With unusable names, the method is still checked for what does not depend on them.
  const method = checkValidationMethod(names.ok ? names.value : [], request.validation.method, {
    validationDate: context.now,
    approverEmail: request.validation.approverEmail,
    approverEmails: request.validation.approverEmails,
  });
  if (method.ok) warnings.push(...method.warnings);
  else problems.push(...method.problems);

  if (request.product === "EV" && names.ok) {
    for (const [index, name] of names.value.entries()) {
      if (name.wildcard) {
        problems.push({
          code: "EV_WILDCARD",
          message: `EV certificates cannot include wildcard names such as '${name.display}'.`,
          field: `domains[${index}]`,
        });
      }
    }
  }

  const validity = resolveValidityDays(request.validityDays, context.now);
  if (!validity.ok) problems.push(...validity.problems);

  problems.push(...organizationProblems(request));
  problems.push(...evProblems(request));
  if (request.key !== undefined && request.csr !== undefined) {
    problems.push({
      code: "KEY_AND_CSR",
      message:
        "Send either key (the service generates the key pair) or csr (you keep your key), not both.",
      field: "csr",
    });
  }
  problems.push(...contactProblems(request.contact, request.product));

  if (problems.length > 0 || !names.ok || !validity.ok) return { ok: false, problems };
  const approverEmail =
    request.validation.method === "email" && request.validation.approverEmail !== undefined
      ? normalizeApproverEmail(request.validation.approverEmail)
      : undefined;
  return {
    ok: true,
    warnings,
    value: {
      names: names.value,
      product: request.product,
      method: request.validation.method,
      ...(approverEmail === undefined ? {} : { approverEmail }),
      ...(method.ok && method.value.approvers !== undefined
        ? { approvers: method.value.approvers }
        : {}),
      keySource:
        request.csr !== undefined
          ? { kind: "uploaded-csr", csrPem: request.csr }
          : { kind: "generated", keyType: request.key?.type ?? DEFAULT_KEY_TYPE },
      contact: { ...request.contact, email: request.contact.email.trim() },
      ...(request.organization === undefined
        ? {}
        : { organization: trimmedOrganization(request.organization) }),
      ...(request.ev === undefined ? {} : { ev: trimmedEv(request.ev) }),
      validityDays: validity.value,
      ...(request.installationCheck === true ? { installationCheck: true } : {}),
      warnings,
    },
  };
}
