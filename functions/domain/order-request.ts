import {
  checkValidationMethod,
  normalizeApproverEmail,
  type ValidationMethod,
} from "./dcv-methods.ts";
import { type DomainName, type Issuer, normalizeDomainNames } from "./domain-names.ts";
import { DEFAULT_KEY_TYPE, type KeyType } from "./key-types.ts";
import type { EvDetails } from "./order-record.ts";
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
  warnings: Problem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COUNTRY = /^[A-Z]{2}$/;

function organizationProblems(request: OrderRequest): Problem[] {
  const organization = request.organization;
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
    if (organization[key].trim() === "") {
      problems.push({
        code: "ORGANIZATION_INCOMPLETE",
        message: `organization.${key} is empty; ${request.product} certificates need it.`,
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

function contactProblems(contact: OrderRequest["contact"]): Problem[] {
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
  return problems;
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
  if (request.key !== undefined && request.csr !== undefined) {
    problems.push({
      code: "KEY_AND_CSR",
      message:
        "Send either key (the service generates the key pair) or csr (you keep your key), not both.",
      field: "csr",
    });
  }
  problems.push(...contactProblems(request.contact));

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
      ...(request.organization === undefined ? {} : { organization: request.organization }),
      validityDays: validity.value,
      warnings,
    },
  };
}
