// The order view's JSON shape (orderView in order-view.ts), for the OpenAPI document. Its unit
// test holds it to orderView both ways: the same fields at every depth (by type) and every
// answer of a fully populated order parsing with it. Only the build and the tests load it.
import { z } from "zod";
import { VALIDATION_METHODS } from "../domain/dcv-methods.ts";
import { INSTALLATION_FINDINGS } from "../domain/installation-check.ts";
import { REVIEW_STATUSES } from "../domain/order-record.ts";
import { FAILURE_CODES, ORDER_STATUSES } from "../domain/order-status.ts";

/** Every time the API answers: UTC, as Date.prototype.toISOString writes it. */
export const timestampSchema = z.iso.datetime().describe("A UTC time (RFC 3339).");

export const productSchema = z.enum(["DV", "OV", "EV"]);

export const orderStatusSchema = z
  .enum(ORDER_STATUSES)
  .describe(
    "SUBMITTED, PENDING_VALIDATION, PENDING_REVIEW and ISSUING move on by themselves; ISSUED, FAILED, CANCELLED, REVOKED and EXPIRED are final (ISSUED until revoked or expired).",
  );

export const validationMethodSchema = z.enum(VALIDATION_METHODS);

/** What the customer publishes (or who approves), by validation method. */
export const instructionsSchema = z
  .discriminatedUnion("method", [
    z.strictObject({
      method: z.literal("http-file"),
      url: z.string().describe("Where the file must answer."),
      content: z.string().describe("The file's exact content."),
    }),
    z.strictObject({
      method: z.enum(["dns-txt", "dns-cname"]),
      recordType: z.enum(["TXT", "CNAME"]),
      host: z.string().describe("The record's name."),
      value: z.string().describe("The record's value."),
    }),
    z.strictObject({
      method: z.literal("email"),
      approver: z.string().describe("The address the approval link was mailed to."),
    }),
  ])
  .describe("What to publish for one name (or who approves it).");

export const serverCheckSchema = z
  .strictObject({
    name: z.string(),
    address: z.string(),
    found: z.boolean(),
    answered: z.boolean(),
    detail: z.optional(z.string()),
  })
  .describe("What one of the zone's authoritative DNS servers answered.");

export const lastCheckSchema = z
  .strictObject({
    at: timestampSchema,
    ok: z.boolean(),
    cause: z.optional(z.string().describe("A named cause: NXDOMAIN, WRONG_VALUE, TIMEOUT, …")),
    detail: z.optional(z.string()),
    servers: z.optional(z.array(serverCheckSchema)),
  })
  .describe("The last check of what was published for a name.");

export const caaCheckSchema = z
  .strictObject({
    ok: z.boolean(),
    cause: z.optional(z.string().describe("CAA_FORBIDS, or why there is no verdict.")),
    detail: z.optional(z.string()),
  })
  .describe("Whether the name's CAA records let the order's CA issue.");

const validationFields = {
  domain: z.string(),
  method: validationMethodSchema,
  status: z.enum(["pending", "published", "valid", "invalid"]),
  instructions: z.optional(instructionsSchema),
  lastCheck: z.optional(lastCheckSchema),
};

export const organizationSchema = z.strictObject({
  name: z.string(),
  unit: z.optional(z.string()),
  locality: z.string(),
  state: z.string(),
  country: z.string(),
});

export const evDetailsSchema = z.strictObject({
  jurisdictionCountry: z.string(),
  jurisdictionState: z.optional(z.string()),
  jurisdictionLocality: z.optional(z.string()),
  businessCategory: z.string(),
  registrationNumber: z.string(),
});

export const orderDocumentSchema = z
  .strictObject({
    id: z.string(),
    contentType: z.enum(["image/png", "image/jpeg"]),
    size: z.int().describe("Bytes."),
    width: z.int(),
    height: z.int(),
    uploadedAt: timestampSchema,
  })
  .describe("An uploaded confirmation letter.");

export const listedDocumentSchema = orderDocumentSchema
  .extend({ url: z.string().describe("Where to download it (GET).") })
  .describe("An uploaded confirmation letter, and where to download it.");

export const installationResultSchema = z
  .strictObject({
    domain: z.string(),
    host: z.string().describe("Where it was checked: the name, or a wildcard's base name."),
    ok: z.boolean(),
    finding: z.enum(INSTALLATION_FINDINGS),
    detail: z.string(),
    servedSerial: z.optional(z.string()),
    servedChain: z.optional(
      z.array(z.strictObject({ subject: z.string(), serialNumber: z.string() })),
    ),
  })
  .describe("What one name's HTTPS server serves, against the order's certificate.");

export const installationRecordSchema = z
  .strictObject({
    checkedAt: timestampSchema,
    trigger: z.enum(["api", "issuance", "renewal", "recheck"]),
    certificateSerial: z.optional(z.string()),
    results: z.array(installationResultSchema),
    notRun: z.optional(z.string().describe("Why the check could not run (then no results).")),
    // After a renewal whose names still served the old certificate: when they are checked again.
    recheckAt: z.optional(timestampSchema),
  })
  .describe("The order's last installation check.");

const certificateFields = {
  serialNumber: z.string().describe("Lower-case hex."),
  notBefore: timestampSchema,
  notAfter: timestampSchema,
  sha256Fingerprint: z.string(),
};

export const orderViewSchema = z
  .strictObject({
    id: z.string(),
    status: orderStatusSchema,
    product: productSchema,
    profile: z.optional(z.string().describe("The CA profile the certificates are issued under.")),
    domains: z.array(z.string()).describe("The names, as ordered; the first is the common name."),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    validationDeadline: z.optional(timestampSchema),
    validations: z.array(
      z.strictObject({
        ...validationFields,
        caa: z.optional(caaCheckSchema),
      }),
    ),
    organization: z.optional(organizationSchema),
    ev: z.optional(evDetailsSchema),
    review: z.optional(
      z.strictObject({
        status: z.enum(REVIEW_STATUSES),
        reason: z.optional(z.string()),
        deadline: timestampSchema,
        decidedAt: z.optional(timestampSchema),
        reusedFrom: z.optional(z.string()),
      }),
    ),
    documents: z.optional(z.array(listedDocumentSchema)),
    certificate: z.optional(
      z
        .strictObject({
          ...certificateFields,
          renewAt: timestampSchema,
          renewalWindow: z.optional(
            z.strictObject({
              certId: z.string(),
              start: z.optional(timestampSchema),
              end: z.optional(timestampSchema),
              explanationUrl: z.optional(z.string()),
              nextFetchAt: timestampSchema,
            }),
          ),
        })
        .describe("The current certificate."),
    ),
    certificates: z.optional(
      z
        .array(
          z.strictObject({
            ...certificateFields,
            replaces: z.optional(z.string()),
            revokedAt: z.optional(timestampSchema),
            revocationReason: z.optional(z.string()),
          }),
        )
        .describe("Every certificate of the order, current first."),
    ),
    renewal: z.optional(
      z.strictObject({
        auto: z.boolean(),
        nextAt: z.optional(timestampSchema),
        planMonths: z.optional(z.int()),
        planEndsAt: z.optional(timestampSchema),
        notRenewing: z.optional(z.string().describe("Why the certificate will not be renewed.")),
        window: z.optional(
          z
            .strictObject({
              start: timestampSchema,
              end: timestampSchema,
              explanationUrl: z.optional(z.string()),
            })
            .describe("The CA's suggested renewal window (ACME Renewal Information)."),
        ),
        status: z.optional(
          z
            .strictObject({
              orderId: z.string(),
              trigger: z.enum(["scheduled", "manual"]),
              rekey: z.boolean(),
              startedAt: timestampSchema,
              status: z.optional(orderStatusSchema),
              validationDeadline: z.optional(timestampSchema),
              validations: z.optional(z.array(z.strictObject(validationFields))),
            })
            .describe("The renewal running now."),
        ),
        lastFailure: z.optional(
          z.strictObject({ at: timestampSchema, code: z.string(), message: z.string() }),
        ),
      }),
    ),
    failure: z.optional(z.strictObject({ code: z.enum(FAILURE_CODES), message: z.string() })),
    warnings: z.optional(z.array(z.strictObject({ code: z.string(), message: z.string() }))),
    execution: z.optional(
      z.strictObject({ name: z.string().describe("Operators: GET /v1/executions/{name}.") }),
    ),
    renewalOf: z.optional(z.string().describe("A renewal: the order it renews.")),
    installationCheck: z.optional(z.boolean()),
    installation: z.optional(installationRecordSchema),
  })
  .describe("An order as the API shows it.");
