// The new-order form without the page: what the customer typed, the request it makes, and the
// problems the API's own rules (functions/domain, bundled into the console) find in it, each
// with the form field it belongs to.
import { approverEmails, type ValidationMethod } from "../../functions/domain/dcv-methods.ts";
import {
  type DomainName,
  type Issuer,
  normalizeDomainNames,
} from "../../functions/domain/domain-names.ts";
import { DEFAULT_KEY_TYPE, type KeyType } from "../../functions/domain/key-types.ts";
import { type OrderRequest, validateOrderRequest } from "../../functions/domain/order-request.ts";
import type { FieldProblem } from "./api.ts";

export type Product = OrderRequest["product"];

export interface OrderForm {
  readonly names: string;
  readonly product: Product;
  readonly method: ValidationMethod;
  /** Email: one address for every name. */
  readonly approverEmail: string;
  /** Email, names in several registered domains: one address per name (by ASCII name). */
  readonly approverEmails: Readonly<Record<string, string>>;
  readonly haveCsr: boolean;
  readonly csr: string;
  readonly keyType: KeyType;
  readonly contactName: string;
  readonly contactEmail: string;
  readonly contactPhone: string;
  readonly orgName: string;
  readonly orgUnit: string;
  readonly orgLocality: string;
  readonly orgState: string;
  readonly orgCountry: string;
  readonly evJurisdictionCountry: string;
  readonly evJurisdictionState: string;
  readonly evJurisdictionLocality: string;
  readonly evBusinessCategory: string;
  readonly evRegistrationNumber: string;
}

export const EMPTY_FORM: OrderForm = {
  names: "",
  product: "DV",
  method: "dns-txt",
  approverEmail: "",
  approverEmails: {},
  haveCsr: false,
  csr: "",
  keyType: DEFAULT_KEY_TYPE,
  contactName: "",
  contactEmail: "",
  contactPhone: "",
  orgName: "",
  orgUnit: "",
  orgLocality: "",
  orgState: "",
  orgCountry: "",
  evJurisdictionCountry: "",
  evJurisdictionState: "",
  evJurisdictionLocality: "",
  evBusinessCategory: "",
  evRegistrationNumber: "",
};

/** The names typed, one per line, with the line each is on (blank lines are skipped). */
export function namesOf(text: string): { readonly name: string; readonly line: number }[] {
  return text
    .split(/\r?\n/)
    .map((name, index) => ({ name: name.trim(), line: index + 1 }))
    .filter(({ name }) => name !== "");
}

const optional = (text: string) => (text.trim() === "" ? undefined : text);

/** The body of POST /v1/orders for the form. */
export function orderRequestOf(form: OrderForm): OrderRequest {
  const phone = optional(form.contactPhone);
  const organizational = form.product !== "DV";
  const unit = optional(form.orgUnit);
  const jurisdictionState = optional(form.evJurisdictionState);
  const jurisdictionLocality = optional(form.evJurisdictionLocality);
  const perName = Object.keys(form.approverEmails).length > 0;
  return {
    domains: namesOf(form.names).map(({ name }) => name),
    product: form.product,
    validation:
      form.method !== "email"
        ? { method: form.method }
        : perName
          ? { method: "email", approverEmails: form.approverEmails }
          : { method: "email", approverEmail: form.approverEmail },
    ...(form.haveCsr ? { csr: form.csr } : { key: { type: form.keyType } }),
    contact: {
      name: form.contactName,
      email: form.contactEmail,
      ...(phone === undefined ? {} : { phone }),
    },
    ...(organizational
      ? {
          organization: {
            name: form.orgName,
            ...(unit === undefined ? {} : { unit }),
            locality: form.orgLocality,
            state: form.orgState,
            country: form.orgCountry,
          },
        }
      : {}),
    ...(form.product === "EV"
      ? {
          ev: {
            jurisdictionCountry: form.evJurisdictionCountry,
            ...(jurisdictionState === undefined ? {} : { jurisdictionState }),
            ...(jurisdictionLocality === undefined ? {} : { jurisdictionLocality }),
            businessCategory: form.evBusinessCategory,
            registrationNumber: form.evRegistrationNumber,
          },
        }
      : {}),
  };
}

export interface FormCheck {
  readonly problems: readonly FieldProblem[];
  readonly warnings: readonly FieldProblem[];
  /** The names as the certificate will hold them, when all of them are fine (whatever the rest). */
  readonly names?: readonly DomainName[];
}

/** The API's rules on the form, in the browser: every problem, each with its field. */
export function checkOrderForm(form: OrderForm, issuer: Issuer, now: Date): FormCheck {
  const request = orderRequestOf(form);
  const checked = validateOrderRequest(request, { issuer, now });
  if (checked.ok) {
    return { problems: [], warnings: checked.warnings, names: checked.value.names };
  }
  // The names on their own: fine names are shown (and give the approver addresses) while other
  // fields still have problems.
  const names = normalizeDomainNames(request.domains, { issuer });
  return {
    problems: checked.problems,
    warnings: names.ok ? names.warnings : [],
    ...(names.ok ? { names: names.value } : {}),
  };
}

/**
 * The approver addresses the email method allows: one list when some address can approve every
 * name (they share a registered domain), else a list per name.
 */
export function approverChoices(names: readonly DomainName[]):
  | { readonly kind: "shared"; readonly addresses: readonly string[] }
  | {
      readonly kind: "per-name";
      readonly names: readonly { name: DomainName; addresses: string[] }[];
    } {
  const lists = names.map((name) => ({ name, addresses: approverEmails(name.ascii) }));
  const [first, ...rest] = lists;
  const shared = (first?.addresses ?? []).filter((address) =>
    rest.every((list) => list.addresses.includes(address)),
  );
  return shared.length > 0 || lists.length === 0
    ? { kind: "shared", addresses: shared }
    : { kind: "per-name", names: lists };
}

/** The id of the form control a problem's field names ("domains[2]", "organization.country"). */
export function controlIdOf(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  if (field === "domains" || field.startsWith("domains[") || field === "purchasedNames") {
    return "order-names";
  }
  if (field === "validation.method") return "order-method-dns-txt";
  if (field.startsWith("validation.approverEmail")) return "order-approver";
  if (field === "csr") return "order-csr";
  if (field === "key" || field.startsWith("key.")) return "order-key-type";
  const direct: Readonly<Record<string, string>> = {
    product: "order-product-DV",
    "contact.name": "order-contact-name",
    "contact.email": "order-contact-email",
    "contact.phone": "order-contact-phone",
    organization: "order-org-name",
    "organization.name": "order-org-name",
    "organization.unit": "order-org-unit",
    "organization.locality": "order-org-locality",
    "organization.state": "order-org-state",
    "organization.country": "order-org-country",
    ev: "order-ev-jurisdiction-country",
    "ev.jurisdictionCountry": "order-ev-jurisdiction-country",
    "ev.jurisdictionState": "order-ev-jurisdiction-state",
    "ev.jurisdictionLocality": "order-ev-jurisdiction-locality",
    "ev.businessCategory": "order-ev-business-category",
    "ev.registrationNumber": "order-ev-registration-number",
  };
  return direct[field];
}

/** The problems of one control, by its id. */
export function problemsFor(
  problems: readonly FieldProblem[],
  controlId: string,
): readonly FieldProblem[] {
  return problems.filter((problem) => controlIdOf(problem.field) === controlId);
}

/** For a problem about one name ("domains[1]"): the line of the textarea it is on. */
export function lineOfProblem(field: string | undefined, text: string): number | undefined {
  const index = /^domains\[(\d+)\]$/.exec(field ?? "")?.[1];
  if (index === undefined) return undefined;
  return namesOf(text)[Number(index)]?.line;
}

/** A quick look at a pasted CSR before the service checks it: one PEM request block. */
export function csrShapeProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "")
    return "Paste the CSR: the text from -----BEGIN CERTIFICATE REQUEST----- to its END line.";
  const blocks = trimmed.match(/-----BEGIN ([A-Z ]+)-----/g) ?? [];
  if (blocks.length === 0) {
    return "This is not PEM text: a CSR starts with -----BEGIN CERTIFICATE REQUEST-----.";
  }
  if (blocks.some((block) => block.includes("PRIVATE KEY"))) {
    return "This is a private key: never paste it anywhere. Paste the CSR (CERTIFICATE REQUEST) instead, and keep the key on your server.";
  }
  if (!blocks.some((block) => /CERTIFICATE REQUEST/.test(block))) {
    return `This is a ${blocks[0]?.replace(/-----(BEGIN )?/g, "").trim()}, not a CSR: paste the CERTIFICATE REQUEST block.`;
  }
  if (!/-----END (NEW )?CERTIFICATE REQUEST-----/.test(trimmed)) {
    return "The CSR's END line is missing: copy it whole, up to -----END CERTIFICATE REQUEST-----.";
  }
  return undefined;
}
