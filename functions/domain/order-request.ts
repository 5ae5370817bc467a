import { checkValidationMethod, type ValidationMethod } from "./dcv-methods.ts";
import { type DomainName, type Issuer, normalizeDomainNames } from "./domain-names.ts";
import { DEFAULT_KEY_TYPE, type KeyType } from "./key-types.ts";
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
  domains: string[];
  product: Product;
  validation: { method: ValidationMethod; approverEmail?: string };
  key?: { type: KeyType };
  csr?: string;
  contact: { name: string; email: string; phone?: string };
  organization?: OrganizationDetails;
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
  keySource: KeySourceRequest;
  contact: { name: string; email: string; phone?: string };
  organization?: OrganizationDetails;
  validityDays: number;
  warnings: Problem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

  if (names.ok) {
    const method = checkValidationMethod(names.value, request.validation.method, {
      validationDate: context.now,
      approverEmail: request.validation.approverEmail,
    });
    if (method.ok) warnings.push(...method.warnings);
    else problems.push(...method.problems);
    if (request.product === "EV" && names.value.some((name) => name.wildcard)) {
      problems.push({
        code: "EV_WILDCARD",
        message: "EV certificates cannot include wildcard names.",
        field: "domains",
      });
    }
  }

  const validity = resolveValidityDays(request.validityDays, context.now);
  if (!validity.ok) problems.push(...validity.problems);

  if (request.product === "DV" && request.organization !== undefined) {
    problems.push({
      code: "ORGANIZATION_NOT_ALLOWED",
      message: "DV certificates cannot contain organization details; order OV or EV for that.",
      field: "organization",
    });
  }
  if (request.product !== "DV") {
    if (request.organization === undefined) {
      problems.push({
        code: "ORGANIZATION_REQUIRED",
        message: `${request.product} certificates need the organization (name, locality, state, country).`,
        field: "organization",
      });
    } else if (!/^[A-Z]{2}$/.test(request.organization.country)) {
      problems.push({
        code: "COUNTRY_INVALID",
        message: "organization.country must be a two-letter ISO 3166 code in capitals, such as DE.",
        field: "organization.country",
      });
    }
  }
  if (request.key !== undefined && request.csr !== undefined) {
    problems.push({
      code: "KEY_AND_CSR",
      message: "Send either key (we generate the key pair) or csr (you keep your key), not both.",
      field: "csr",
    });
  }
  if (!EMAIL.test(request.contact.email)) {
    problems.push({
      code: "CONTACT_EMAIL_INVALID",
      message: `'${request.contact.email}' does not look like an email address.`,
      field: "contact.email",
    });
  }
  if (problems.length > 0 || !names.ok || !validity.ok) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    warnings,
    value: {
      names: names.value,
      product: request.product,
      method: request.validation.method,
      approverEmail: request.validation.approverEmail?.trim().toLowerCase(),
      keySource:
        request.csr !== undefined
          ? { kind: "uploaded-csr", csrPem: request.csr }
          : { kind: "generated", keyType: request.key?.type ?? DEFAULT_KEY_TYPE },
      contact: request.contact,
      organization: request.organization,
      validityDays: validity.value,
      warnings,
    },
  };
}
