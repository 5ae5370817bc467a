// The JSON the routes answer, for the OpenAPI document: each schema here becomes one of its
// components (RESPONSE_SCHEMAS names them). The unit tests hold the ones built by a function
// (webhookView, attemptView, …) to that function's type; the e2e contract test checks real
// answers against the document. Only the build and the tests load this file.
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../domain/webhook-rules.ts";
import {
  caaCheckSchema,
  evDetailsSchema,
  installationRecordSchema,
  installationResultSchema,
  instructionsSchema,
  lastCheckSchema,
  listedDocumentSchema,
  orderDocumentSchema,
  orderStatusSchema,
  orderViewSchema,
  organizationSchema,
  productSchema,
  serverCheckSchema,
  timestampSchema,
} from "./order-view-schema.ts";

/** {"error":{"code","message","details"?}}: every refusal and failure (api-errors.ts). */
export const errorEnvelopeSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe("A stable name for what went wrong, e.g. INVALID_REQUEST."),
      message: z.string().describe("One or more plain sentences for people."),
      details: z.optional(
        z
          .unknown()
          .describe(
            "More, by code: `issues` ({path, message}) for INVALID_REQUEST, `retryAfterSeconds` for RATE_LIMITED, …",
          ),
      ),
    }),
  })
  .describe("An error answer.");

const cursorSchema = z.optional(
  z.string().describe("Pass as `cursor` for the next page; absent on the last page."),
);

export const orderListSchema = z
  .strictObject({
    orders: z.array(orderViewSchema).describe("Newest first."),
    nextCursor: cursorSchema,
  })
  .describe("One page of the tenant's orders.");

export const orderEventSchema = z
  .strictObject({
    at: timestampSchema,
    type: z.string(),
    message: z.string(),
    status: z.optional(orderStatusSchema),
    by: z.optional(
      z
        .strictObject({ role: z.enum(["customer", "operator"]), tenantId: z.string() })
        .describe("Who did it, when a person acted through the API."),
    ),
  })
  .describe("One line of an order's history.");

export const orderHistorySchema = z
  .strictObject({ id: z.string(), events: z.array(orderEventSchema).describe("Oldest first.") })
  .describe("What happened to an order, in order.");

export const publicationChecksSchema = z
  .strictObject({
    id: z.string(),
    allPublished: z.boolean(),
    resumed: z.boolean().describe("Whether the waiting workflow was woken to move on now."),
    results: z.array(
      z.strictObject({
        domain: z.string(),
        ok: z.boolean(),
        cause: z.optional(z.string()),
        detail: z.optional(z.string()),
        servers: z.optional(z.array(serverCheckSchema)),
        caa: z.optional(caaCheckSchema),
      }),
    ),
  })
  .describe("What the checks found for each name.");

export const installationCheckSchema = z
  .strictObject({
    id: z.string(),
    checkedAt: timestampSchema,
    certificateSerial: z.optional(z.string()),
    allOk: z.boolean(),
    results: z.array(installationResultSchema),
  })
  .describe("What each name's HTTPS server serves.");

export const renewalStartedSchema = z
  .strictObject({
    id: z.string(),
    renewal: z.strictObject({ orderId: z.string(), rekey: z.boolean() }),
  })
  .describe("The renewal started; GET the order to follow it (`renewal.status`).");

export const renewalRunSchema = z
  .strictObject({
    at: timestampSchema,
    due: z.int(),
    started: z.int(),
    running: z.int(),
    expired: z.int(),
    notified: z.int(),
    windowsRefreshed: z.int(),
    installationRechecks: z.int(),
    skipped: z.int(),
    failed: z.int(),
    more: z
      .boolean()
      .describe(
        "True when the run stopped at its time budget or its 5,000 orders with orders still due: ask again to go on.",
      ),
  })
  .describe("The renewal run's counts.");

export const approvalResendSchema = z
  .strictObject({ id: z.string(), mailedTo: z.array(z.string()) })
  .describe("Who was mailed a new approval link.");

export const approverEmailsSchema = z
  .strictObject({ domain: z.string(), approverEmails: z.array(z.string()) })
  .describe("The constructed approver addresses of a name.");

const approvalRequestFields = {
  approver: z.string(),
  names: z.array(z.string()),
  requestedBy: z.string(),
  expiresAt: timestampSchema,
};

export const approvalRequestSchema = z
  .strictObject({ ...approvalRequestFields, status: z.literal("pending") })
  .describe("What an approval link asks.");

export const approvalDecisionSchema = z
  .strictObject({ ...approvalRequestFields, decision: z.enum(["approve", "decline"]) })
  .describe("The decision taken on an approval link.");

export const reviewQueueSchema = z
  .strictObject({
    reviews: z
      .array(
        z.strictObject({
          orderId: z.string(),
          tenantId: z.string(),
          product: productSchema,
          names: z.array(z.string()),
          status: orderStatusSchema,
          organization: z.optional(organizationSchema),
          ev: z.optional(evDetailsSchema),
          contact: z.strictObject({
            name: z.string(),
            email: z.string(),
            phone: z.optional(z.string()),
          }),
          awaitingSince: z.optional(timestampSchema),
          deadline: z.optional(timestampSchema),
          documents: z.array(listedDocumentSchema),
        }),
      )
      .describe("Longest waiting first."),
  })
  .describe("OV/EV orders whose letter awaits an operator's decision.");

export const executionSchema = z
  .strictObject({
    name: z.string(),
    status: z.enum(["RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"]),
    startedAt: timestampSchema,
    stoppedAt: z.optional(timestampSchema),
    events: z.array(
      z.strictObject({
        timestamp: timestampSchema,
        type: z.string(),
        stateName: z.optional(z.string()),
        input: z.optional(z.unknown()),
        output: z.optional(z.unknown()),
        error: z.optional(z.string()),
        cause: z.optional(z.string()),
      }),
    ),
    transitions: z.optional(
      z.int().describe("The local host only: the states entered (what AWS bills for)."),
    ),
  })
  .describe("An order's execution and its state history.");

export const serviceInfoSchema = z
  .object({ ca: z.enum(["embedded", "acme"]).describe("The kind of CA this deployment uses.") })
  .catchall(z.union([z.string(), z.number()]))
  .describe("Non-secret facts about the running service (which ones depends on the host).");

export const callerSchema = z
  .strictObject({
    tenantId: z.string(),
    role: z.enum(["customer", "operator"]).describe("What the caller may do."),
  })
  .describe("The caller the token belongs to.");

export const webhookSchema = z
  .strictObject({
    id: z.string(),
    url: z.string(),
    events: z
      .union([z.array(z.enum(WEBHOOK_EVENT_TYPES)), z.literal("all")])
      .describe("The events sent to it."),
    createdAt: timestampSchema,
  })
  .describe("A webhook endpoint (never with its secret).");

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .describe("The signing secret (`whsec_…`, Standard Webhooks), shown in this answer only."),
  })
  .describe("The endpoint registered, with its signing secret.");

export const webhookListSchema = z
  .strictObject({ webhooks: z.array(webhookSchema).describe("Oldest first.") })
  .describe("The tenant's webhook endpoints.");

const attemptFields = {
  id: z.string().describe("The delivery's id (the `webhook-id` header); its retries share it."),
  eventType: z.string(),
  attempt: z.int().describe("1 for the first try."),
  at: timestampSchema,
  outcome: z.enum(["delivered", "failed"]),
  statusCode: z.optional(z.int()),
  cause: z.optional(z.string()),
  detail: z.optional(z.string()),
  durationMs: z.number(),
  nextRetryAt: z.optional(timestampSchema),
  responseExcerpt: z.optional(z.string().describe("The first 200 characters of the answer.")),
};

export const deliveryAttemptSchema = z
  .strictObject(attemptFields)
  .describe("One attempt to deliver an event to an endpoint.");

export const deliveryListSchema = z
  .strictObject({
    deliveries: z.array(deliveryAttemptSchema).describe("Newest first."),
    nextCursor: cursorSchema,
  })
  .describe("One page of an endpoint's delivery attempts.");

export const pingSchema = z
  .strictObject({ delivered: z.boolean(), ...attemptFields })
  .describe("What the endpoint did with a signed `webhook.ping`.");

export const openApiDocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .describe("An OpenAPI 3.1 document.");

/**
 * The components of the document, by name: each schema is written once under
 * #/components/schemas/{name} and referred to wherever it appears (also inside another one).
 */
export const RESPONSE_SCHEMAS = {
  Error: errorEnvelopeSchema,
  Timestamp: timestampSchema,
  Instructions: instructionsSchema,
  LastCheck: lastCheckSchema,
  ServerCheck: serverCheckSchema,
  CaaCheck: caaCheckSchema,
  Organization: organizationSchema,
  EvDetails: evDetailsSchema,
  Document: orderDocumentSchema,
  ListedDocument: listedDocumentSchema,
  InstallationResult: installationResultSchema,
  Installation: installationRecordSchema,
  OrderStatus: orderStatusSchema,
  Order: orderViewSchema,
  OrderList: orderListSchema,
  OrderEvent: orderEventSchema,
  OrderHistory: orderHistorySchema,
  PublicationChecks: publicationChecksSchema,
  InstallationCheck: installationCheckSchema,
  RenewalStarted: renewalStartedSchema,
  RenewalRun: renewalRunSchema,
  ApprovalResend: approvalResendSchema,
  ApproverEmails: approverEmailsSchema,
  ApprovalRequest: approvalRequestSchema,
  ApprovalDecision: approvalDecisionSchema,
  ReviewQueue: reviewQueueSchema,
  Execution: executionSchema,
  ServiceInfo: serviceInfoSchema,
  Caller: callerSchema,
  Webhook: webhookSchema,
  CreatedWebhook: createdWebhookSchema,
  WebhookList: webhookListSchema,
  DeliveryAttempt: deliveryAttemptSchema,
  DeliveryList: deliveryListSchema,
  Ping: pingSchema,
  OpenApiDocument: openApiDocumentSchema,
} as const satisfies Record<string, z.ZodType>;

export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
