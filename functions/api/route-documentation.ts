// What the OpenAPI document says of each route beyond its declaration (method, path, callers and
// request body come from the declaration itself): a summary, the query parameters and headers
// it reads, what it answers, and the refusals particular to it. Keyed by route name; a unit test
// proves every declared route has an entry and every entry a route. Only the build and the
// tests load this file.
import { z } from "zod";
import { ORDER_STATUSES } from "../domain/order-status.ts";
import { DELIVERY_FORMATS } from "../pki/delivery-bundles.ts";
import { PKCS12_PROFILES } from "../pki/pkcs12-profiles.ts";
import type { ResponseSchemaName } from "./response-schemas.ts";

/** A body that is not JSON: bytes of the media type (a download, a page, a PEM file). */
export const BYTES = "bytes";

export interface ResponseDocumentation {
  readonly description: string;
  /** Media type → the JSON answer's schema (a component's name), or BYTES. */
  readonly content?: Readonly<Record<string, ResponseSchemaName | typeof BYTES>>;
  /** Response headers worth knowing: name → what it holds. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ParameterDocumentation {
  readonly description: string;
  readonly schema: z.ZodType;
  readonly required?: boolean;
}

export interface RouteDocumentation {
  readonly summary: string;
  readonly description?: string;
  readonly query?: Readonly<Record<string, ParameterDocumentation>>;
  /** Request headers the route reads (besides Authorization and Content-Type). */
  readonly headers?: Readonly<Record<string, ParameterDocumentation>>;
  /** The answers when it works, by status. */
  readonly responses: Readonly<Record<number, ResponseDocumentation>>;
  /** Refusals particular to the route, by status: the codes, and when. */
  readonly errors?: Readonly<Record<number, string>>;
}

/** What each path parameter of the route table names. */
export const PATH_PARAMETERS: Readonly<Record<string, string>> = {
  id: "The order's id (`ord_…`); under /v1/webhooks, the endpoint's (`wh_…`).",
  docId: "The document's id (`doc_…`).",
  token: "The approval link's secret, as mailed to the approver.",
  domain: "A domain name (Unicode or punycode).",
  name: "The execution's name (an order's `execution.name`).",
};

const json = (schema: ResponseSchemaName) => ({ "application/json": schema });

const order = (description: string): ResponseDocumentation => ({
  description,
  content: json("Order"),
});

const limit = (most: number, otherwise: number): ParameterDocumentation => ({
  description: `How many to answer, 1 to ${most} (${otherwise} when left out).`,
  schema: z.int().min(1).max(most),
});

const cursor: ParameterDocumentation = {
  description: "The `nextCursor` of the page before.",
  schema: z.string(),
};

const ORDER_NOT_FOUND = "NOT_FOUND: no such order, or another tenant's.";
const WEBHOOK_NOT_FOUND = "NOT_FOUND: no such endpoint, a deleted one, or another tenant's.";
const RATE_LIMITED = "RATE_LIMITED: too soon after the last one; `Retry-After` says when to retry.";

export const ROUTE_DOCUMENTATION: Readonly<Record<string, RouteDocumentation>> = {
  SubmitOrder: {
    summary: "Submit an order",
    description:
      "The first of `domains` is the common name. Either `key.type` (the service makes the key; EC-P256 when left out) or `csr` (PEM). OV/EV need `organization` and `contact.phone`; EV also `ev`. The answer is the order as recorded; follow it with GET /v1/orders/{id}. A repeat with the same `Idempotency-Key` answers the first order.",
    headers: {
      "Idempotency-Key": {
        description:
          "1 to 128 visible ASCII characters: a repeat of the request with the same key answers the same order.",
        schema: z.string().min(1).max(128),
      },
    },
    responses: {
      202: { ...order("The order, accepted."), headers: { Location: "The order's URL." } },
    },
    errors: {
      400: "INVALID_IDEMPOTENCY_KEY.",
      409: "IDEMPOTENCY_KEY_REUSED: the key is in use, or was used with another request.",
      422: "A rule refused the order: INVALID_ORDER (`details.problems`), CSR_DEFECTIVE, NOT_OFFERED_BY_CA, PROFILE_UNKNOWN.",
      429: RATE_LIMITED,
      503: "WORKFLOW_UNAVAILABLE or CA_UNAVAILABLE: retry.",
    },
  },
  ListOrders: {
    summary: "List the tenant's orders",
    description: "Newest first; renewals show on the order they renew.",
    query: {
      status: { description: "Only orders in this status.", schema: z.enum(ORDER_STATUSES) },
      domain: {
        description:
          "Only orders with this name among theirs (any case, Unicode or punycode, a wildcard as `*.example.com`).",
        schema: z.string(),
      },
      limit: limit(100, 20),
      cursor,
    },
    responses: { 200: { description: "One page of orders.", content: json("OrderList") } },
    errors: { 400: "INVALID_STATUS, INVALID_DOMAIN, INVALID_LIMIT or INVALID_CURSOR." },
  },
  GetOrder: {
    summary: "Get an order",
    description:
      "Its status, what to publish for each name, the last checks, the certificate, the renewal and any failure.",
    responses: { 200: order("The order.") },
    errors: { 404: ORDER_NOT_FOUND },
  },
  GetOrderHistory: {
    summary: "Get an order's history",
    responses: {
      200: { description: "Every event, oldest first.", content: json("OrderHistory") },
    },
    errors: { 404: ORDER_NOT_FOUND },
  },
  RunChecks: {
    summary: "Check what was published now",
    description:
      "Checks each name once (within 20 s) and its CAA; when everything is there, the waiting workflow moves on at once.",
    responses: {
      200: { description: "What each name shows.", content: json("PublicationChecks") },
    },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "NOT_WAITING_FOR_VALIDATION.",
      429: RATE_LIMITED,
    },
  },
  RunInstallationCheck: {
    summary: "Check that the certificate is installed",
    description:
      "Connects to each name's HTTPS server (within 20 s) and compares what it serves with the order's certificate and chain; recorded on the order as `installation`.",
    responses: {
      200: { description: "A finding for each name.", content: json("InstallationCheck") },
    },
    errors: { 404: ORDER_NOT_FOUND, 409: "NOT_ISSUED.", 429: RATE_LIMITED },
  },
  DownloadCertificate: {
    summary: "Download the certificate",
    description:
      "In the format a server wants: `pem` (certificate and chain), `nginx` and `apache` (zip with the key the service made), `iis` and `tomcat` (PKCS#12, encrypted with the password in `X-Pfx-Password`). Operators may download `pem` only when the service made the key.",
    query: {
      format: {
        description: "pem when left out.",
        schema: z.enum(DELIVERY_FORMATS),
      },
      profile: {
        description:
          "iis and tomcat only: modern (AES-256, the default) or legacy (3DES, for Windows Server 2016 and older).",
        schema: z.enum(PKCS12_PROFILES),
      },
      serial: {
        description:
          "An earlier certificate of the order, by serial (hex); the current one when left out.",
        schema: z.string(),
      },
    },
    headers: {
      "X-Pfx-Password": {
        description: "iis and tomcat: the password the PKCS#12 file is encrypted with.",
        schema: z.string(),
      },
    },
    responses: {
      200: {
        description: "The file (Content-Disposition names it).",
        content: {
          "application/x-pem-file": BYTES,
          "application/zip": BYTES,
          "application/x-pkcs12": BYTES,
        },
      },
    },
    errors: {
      400: "FORMAT_UNKNOWN, or the password or profile is missing or not taken.",
      403: "KEY_DOWNLOAD_OWNER_ONLY: the format holds the private key.",
      404: ORDER_NOT_FOUND,
      409: "NOT_ISSUED, or KEY_NOT_HELD.",
    },
  },
  CancelOrder: {
    summary: "Cancel an order",
    description: "An order not issued yet: the CA gives it up and it shows no more instructions.",
    responses: { 200: order("The cancelled order.") },
    errors: { 404: ORDER_NOT_FOUND, 409: "NOT_CANCELLABLE or IS_A_RENEWAL." },
  },
  RevokeCertificate: {
    summary: "Revoke the certificate",
    description:
      "The CA revokes it (the embedded CA lists it on its CRL first), then the order is REVOKED. With `serial`, an earlier certificate of the order (a superseded one) is revoked instead, and the order stays as it is.",
    responses: {
      200: order("The revoked order, or the order with the earlier certificate marked revoked."),
    },
    errors: {
      404: `${ORDER_NOT_FOUND} CERTIFICATE_NOT_FOUND: the order never had a certificate with that serial.`,
      409: "NOT_REVOCABLE: the order is not issued.",
      422: "CA_REJECTED.",
      503: "CA_UNAVAILABLE: the order stays ISSUED; retry.",
    },
  },
  ResendApproval: {
    summary: "Mail the approvers new links",
    description: "Each approver who has not decided gets a new link; the old one answers 410.",
    responses: { 200: { description: "Who was mailed.", content: json("ApprovalResend") } },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "NOT_WAITING_FOR_VALIDATION or NO_APPROVAL_PENDING.",
      422: "Email validation is no longer allowed.",
      429: RATE_LIMITED,
    },
  },
  ChangeValidation: {
    summary: "Switch the validation method",
    description:
      "Of an order waiting for validation: the open names get new instructions, mailed at once, under the same deadline; earlier approval links die.",
    responses: { 200: order("The order with its new instructions.") },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "NOT_WAITING_FOR_VALIDATION or VALIDATION_UNDER_WAY.",
      422: "INVALID_METHOD, METHOD_CHANGE_REFUSED or NOT_OFFERED_BY_CA.",
      503: "CA_UNAVAILABLE.",
    },
  },
  UploadDocument: {
    summary: "Upload the confirmation letter",
    description:
      "OV/EV: the body is the signed letter's image (PNG or JPEG, checked by its content); a review waiting for it moves on to an operator's decision.",
    responses: {
      201: {
        description: "The document, stored.",
        content: json("Document"),
        headers: { Location: "The document's URL." },
      },
    },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "ORDER_CLOSED or DOCUMENT_LIMIT_REACHED.",
      413: "DOCUMENT_TOO_LARGE.",
      415: "DOCUMENT_TYPE_UNSUPPORTED.",
      422: "DOCUMENT_UNREADABLE, or DOCUMENT_NOT_NEEDED for a DV order.",
      429: RATE_LIMITED,
    },
  },
  GetDocument: {
    summary: "Get an uploaded document",
    responses: {
      200: {
        description: "The image, as uploaded.",
        content: { "image/png": BYTES, "image/jpeg": BYTES },
      },
    },
    errors: { 404: "NOT_FOUND.", 410: "DOCUMENT_GONE: no longer kept." },
  },
  ListReviews: {
    summary: "List the review queue",
    description: "OV/EV orders whose letter awaits a decision, longest waiting first.",
    query: { limit: limit(100, 50) },
    responses: { 200: { description: "The queue.", content: json("ReviewQueue") } },
  },
  DecideReview: {
    summary: "Decide an organization review",
    description: "Once a letter arrived. A reason is required to reject.",
    responses: { 200: order("The order, moving on (or failed REVIEW_REJECTED).") },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "REVIEW_NOT_AWAITING_DECISION.",
      422: "REASON_REQUIRED.",
    },
  },
  ResubmitReview: {
    summary: "Resubmit after a rejection",
    description:
      "Corrected `organization`, `ev` and/or `contact` (and a new letter uploaded before) go back to the review queue.",
    responses: { 200: order("The order, back in review.") },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "LETTER_REQUIRED, REVIEW_CLOSED or REVIEW_APPROVED.",
      422: "NO_REVIEW or INVALID_DETAILS.",
    },
  },
  RenewOrder: {
    summary: "Renew now",
    description:
      "With the same key and CSR, or a new key with `rekey`. The order stays ISSUED while the renewal runs (`renewal.status`).",
    responses: {
      202: {
        description: "The renewal, started.",
        content: json("RenewalStarted"),
        headers: { Location: "The order's URL." },
      },
    },
    errors: {
      404: ORDER_NOT_FOUND,
      409: "RENEWAL_IN_FLIGHT, or the order cannot be renewed (named).",
      422: "REKEY_NEEDS_CSR: an order placed with your own CSR.",
    },
  },
  ChangeRenewal: {
    summary: "Turn automatic renewal on or off",
    responses: { 200: order("The order.") },
    errors: { 404: ORDER_NOT_FOUND, 409: "IS_A_RENEWAL." },
  },
  StartRenewalRun: {
    summary: "Run the renewal run now",
    description:
      "What the daily schedule does: renews due orders, expires ended ones, mails notices.",
    responses: { 202: { description: "Its counts.", content: json("RenewalRun") } },
  },
  GetExecution: {
    summary: "Get an order's execution",
    description: "The state history of the order's workflow execution.",
    responses: { 200: { description: "The execution.", content: json("Execution") } },
    errors: { 404: "NOT_FOUND." },
  },
  GetApproverEmails: {
    summary: "List the approver addresses of a name",
    responses: {
      200: { description: "The constructed addresses.", content: json("ApproverEmails") },
    },
    errors: {
      400: "INVALID_DOMAIN: no name given.",
      422: "The name is refused as an order's names are (`details.problems`).",
    },
  },
  GetApproval: {
    summary: "See what an approval link asks",
    description:
      "For the approver (not a customer, so no bearer): a page for people, or JSON with `Accept: application/json`.",
    headers: {
      Accept: {
        description: "application/json for JSON; a page otherwise.",
        schema: z.string(),
      },
    },
    responses: {
      200: {
        description: "The names, who asks, and until when.",
        content: { "application/json": "ApprovalRequest", "text/html": BYTES },
      },
    },
    errors: {
      404: "An unknown link.",
      410: "A link used, declined, replaced or expired.",
    },
  },
  DecideApproval: {
    summary: "Approve or decline",
    description:
      "Once. Approving wakes the order at once; declining fails it VALIDATION_FAILED with the reason.",
    responses: { 200: { description: "The decision taken.", content: json("ApprovalDecision") } },
    errors: {
      404: "An unknown link.",
      410: "A link used, declined, replaced or expired.",
    },
  },
  GetCaRoot: {
    summary: "Get the embedded CA's root",
    responses: {
      200: {
        description: "The root certificate, PEM.",
        content: { "application/x-pem-file": BYTES },
      },
    },
    errors: { 404: "NOT_FOUND: an ACME CA, or not published yet." },
  },
  GetCaCrl: {
    summary: "Get the embedded CA's CRL",
    description:
      "DER, as the CRL distribution point of its certificates names it. On AWS, ask with `Accept: application/pkix-crl` for the bytes.",
    responses: {
      200: { description: "The CRL, DER.", content: { "application/pkix-crl": BYTES } },
    },
    errors: { 404: "NOT_FOUND: an ACME CA, or not published yet." },
  },
  GetServiceInfo: {
    summary: "Get facts about the service",
    responses: { 200: { description: "Non-secret facts.", content: json("ServiceInfo") } },
  },
  WhoAmI: {
    summary: "Get the caller",
    description:
      "The tenant and role the token belongs to (the web console shows its screens by the role).",
    responses: { 200: { description: "The caller.", content: json("Caller") } },
  },
  GetOpenApi: {
    summary: "Get this document",
    description: "The OpenAPI 3.1 document of the API, generated from the routes' declarations.",
    responses: { 200: { description: "This document.", content: json("OpenApiDocument") } },
  },
  CreateWebhook: {
    summary: "Register a webhook endpoint",
    description:
      "The URL must be https and lead to a public address. All event types are sent when `events` is left out. The signing secret is in this answer only.",
    responses: {
      201: {
        description: "The endpoint, with its signing secret.",
        content: json("CreatedWebhook"),
        headers: { Location: "The endpoint's URL." },
      },
    },
    errors: {
      409: "WEBHOOK_LIMIT_REACHED.",
      422: "The URL is refused, naming the cause: URL_NOT_HTTPS, ADDRESS_NOT_PUBLIC, NXDOMAIN, …",
    },
  },
  ListWebhooks: {
    summary: "List webhook endpoints",
    responses: { 200: { description: "The tenant's endpoints.", content: json("WebhookList") } },
  },
  DeleteWebhook: {
    summary: "Delete a webhook endpoint",
    description: "It gets nothing more (retries waiting for it give up) and its secret is erased.",
    responses: { 204: { description: "Deleted." } },
    errors: { 404: WEBHOOK_NOT_FOUND },
  },
  PingWebhook: {
    summary: "Ping a webhook endpoint",
    description: "Sends it a signed `webhook.ping` at once (not retried).",
    responses: { 200: { description: "What the endpoint did.", content: json("Ping") } },
    errors: { 404: WEBHOOK_NOT_FOUND },
  },
  ListWebhookDeliveries: {
    summary: "List an endpoint's delivery attempts",
    query: { limit: limit(100, 20), cursor },
    responses: { 200: { description: "One page of attempts.", content: json("DeliveryList") } },
    errors: { 400: "INVALID_LIMIT or INVALID_CURSOR.", 404: WEBHOOK_NOT_FOUND },
  },
};
