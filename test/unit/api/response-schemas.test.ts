// The response schemas of the OpenAPI document against the functions that build the answers:
// by type, the same fields at every depth and values that fit (typecheck fails otherwise); at
// run time, answers built from fully populated records parse with them.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { orderView } from "../../../functions/api/order-view.ts";
import { orderViewSchema } from "../../../functions/api/order-view-schema.ts";
import {
  approvalRequestSchema,
  deliveryAttemptSchema,
  type executionSchema,
  type installationCheckSchema,
  type orderEventSchema,
  type renewalRunSchema,
  webhookSchema,
} from "../../../functions/api/response-schemas.ts";
import { attemptView, webhookView } from "../../../functions/api/tenant-webhook.ts";
import type { InstallationRecord } from "../../../functions/domain/installation-check.ts";
import type { OrderEvent, OrderRecord } from "../../../functions/domain/order-record.ts";
import type { ApprovalRequestView } from "../../../functions/orders/approval-decisions.ts";
import { approvalView } from "../../../functions/orders/approval-decisions.ts";
import type { RenewalRunCounts } from "../../../functions/orders/renewal-run.ts";
import type { ExecutionDescription } from "../../../functions/ports/workflow-engine.ts";
import type { LocalExecutionDescription } from "../../../infra/local/local-workflow-engine.ts";

/** Every field's dotted path, through arrays and every member of a union. */
type Paths<T> = T extends readonly (infer Item)[]
  ? Paths<Item>
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${Paths<NonNullable<T[K]>>}` }[keyof T & string]
    : never;

type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a schema takes, as a function's (readonly) answer may hold it. */
type Documented<Schema extends z.ZodType> = DeepReadonly<z.output<Schema>>;

describe("the response schemas, by type", () => {
  it("have exactly the fields of what the routes answer, with values that fit", () => {
    type OrderView = ReturnType<typeof orderView>;
    expectTypeOf<Paths<OrderView>>().toEqualTypeOf<Paths<z.output<typeof orderViewSchema>>>();
    expectTypeOf<OrderView>().toExtend<Documented<typeof orderViewSchema>>();

    // webhookView's `events` is typed string (its "all" widened); the run-time test checks it.
    type Webhook = ReturnType<typeof webhookView>;
    expectTypeOf<Paths<Webhook>>().toEqualTypeOf<Paths<z.output<typeof webhookSchema>>>();
    expectTypeOf<Omit<Webhook, "events">>().toExtend<
      Omit<Documented<typeof webhookSchema>, "events">
    >();

    type Attempt = ReturnType<typeof attemptView>;
    expectTypeOf<Paths<Attempt>>().toEqualTypeOf<Paths<z.output<typeof deliveryAttemptSchema>>>();
    expectTypeOf<Attempt>().toExtend<Documented<typeof deliveryAttemptSchema>>();

    type Approval = ApprovalRequestView & { status: "pending" };
    expectTypeOf<Paths<Approval>>().toEqualTypeOf<Paths<z.output<typeof approvalRequestSchema>>>();
    expectTypeOf<Approval>().toExtend<Documented<typeof approvalRequestSchema>>();

    // Step Functions' description, and the local engine's with its count of transitions.
    expectTypeOf<Paths<LocalExecutionDescription>>().toEqualTypeOf<
      Paths<z.output<typeof executionSchema>>
    >();
    expectTypeOf<ExecutionDescription>().toExtend<Documented<typeof executionSchema>>();
    expectTypeOf<LocalExecutionDescription>().toExtend<Documented<typeof executionSchema>>();

    type Run = RenewalRunCounts & { at: string; more: boolean };
    expectTypeOf<Paths<Run>>().toEqualTypeOf<Paths<z.output<typeof renewalRunSchema>>>();
    expectTypeOf<Run>().toExtend<Documented<typeof renewalRunSchema>>();

    expectTypeOf<Paths<OrderEvent>>().toEqualTypeOf<Paths<z.output<typeof orderEventSchema>>>();
    expectTypeOf<OrderEvent>().toExtend<Documented<typeof orderEventSchema>>();

    type InstallationAnswer = Omit<InstallationRecord, "trigger" | "notRun"> & {
      id: string;
      allOk: boolean;
    };
    expectTypeOf<Paths<InstallationAnswer>>().toEqualTypeOf<
      Paths<z.output<typeof installationCheckSchema>>
    >();
    expectTypeOf<InstallationAnswer>().toExtend<Documented<typeof installationCheckSchema>>();
  });
});

const AT = "2027-05-01T00:00:00.000Z";
const LATER = "2027-05-02T00:00:00.000Z";

/** An order with every field the record has, as an issued OV order that renews. */
function everyField(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    orderId: "ord_full",
    tenantId: "tenant-a",
    status: "ISSUED",
    version: 7,
    product: "EV",
    names: [
      { ascii: "xn--bcher-kva.example", display: "bücher.example", wildcard: false },
      { ascii: "*.shop.example", display: "*.shop.example", wildcard: true },
    ],
    method: "dns-txt",
    approverEmail: "admin@bücher.example",
    approvers: { "xn--bcher-kva.example": "admin@xn--bcher-kva.example" },
    keySource: { kind: "generated", keyType: "EC-P384" },
    contact: { name: "Ada", email: "ada@example.com", phone: "+44 20 7946 0000" },
    organization: {
      name: "Bücher GmbH",
      unit: "IT",
      locality: "Berlin",
      state: "Berlin",
      country: "DE",
    },
    ev: {
      jurisdictionCountry: "DE",
      jurisdictionState: "Berlin",
      jurisdictionLocality: "Berlin",
      businessCategory: "Private Organization",
      registrationNumber: "HRB 12345",
    },
    review: {
      status: "approved",
      reason: "Reused",
      deadline: LATER,
      awaitingSince: AT,
      decidedAt: AT,
      reusedFrom: "ord_earlier",
    },
    documents: [
      {
        id: "doc_0123456789abcdef",
        contentType: "image/png",
        size: 1234,
        width: 800,
        height: 600,
        uploadedAt: AT,
      },
    ],
    validityDays: 100,
    createdAt: AT,
    updatedAt: LATER,
    validations: [
      {
        domain: "xn--bcher-kva.example",
        method: "dns-txt",
        status: "valid",
        instructions: {
          method: "dns-txt",
          recordType: "TXT",
          host: "_certflow-challenge.xn--bcher-kva.example",
          value: "v",
        },
        lastCheck: {
          at: AT,
          ok: true,
          detail: "Found.",
          servers: [
            { name: "ns1.example", address: "192.0.2.1", found: true, answered: true },
            {
              name: "ns2.example",
              address: "192.0.2.2",
              found: false,
              answered: false,
              detail: "No answer.",
            },
          ],
        },
        caa: { ok: true },
      },
      {
        domain: "*.shop.example",
        method: "dns-cname",
        status: "invalid",
        instructions: {
          method: "dns-cname",
          recordType: "CNAME",
          host: "_acme-challenge.shop.example",
          value: "x.validation.example",
        },
        lastCheck: { at: AT, ok: false, cause: "WRONG_VALUE", detail: "Wrong." },
        caa: { ok: false, cause: "CAA_FORBIDS", detail: "0 issue other.example" },
      },
    ],
    validationDeadline: LATER,
    caDeadline: LATER,
    caOrderRef: "https://ca.example/order/1",
    caaIdentity: { identities: ["certflow.internal"], accountUri: "https://ca.example/acct/1" },
    certificate: {
      serialNumber: "0b02",
      notBefore: AT,
      notAfter: "2027-08-09T00:00:00.000Z",
      sha256Fingerprint: "BB:02",
      renewAt: "2027-07-15T00:00:00.000Z",
      renewalWindow: {
        certId: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
        start: "2027-07-10T00:00:00.000Z",
        end: "2027-07-20T00:00:00.000Z",
        explanationUrl: "https://ca.example/why",
        nextFetchAt: LATER,
      },
    },
    failure: { code: "CA_UNAVAILABLE", message: "Earlier failure." },
    executionName: "ord_full-1",
    approvalLinks: [{ approver: "admin@example.com", linkHash: "ab", sentAt: AT }],
    waitToken: "token",
    warnings: [{ code: "EMAIL_VALIDATION_ENDING", message: "Soon." }],
    rekey: true,
    replaces: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
    autoRenew: true,
    planMonths: 12,
    planEndsAt: "2028-05-01T00:00:00.000Z",
    profile: "tlsserver",
    validationReminders: [50],
    installationRecheckAt: LATER,
    certificates: [
      {
        serialNumber: "0b02",
        notBefore: AT,
        notAfter: "2027-08-09T00:00:00.000Z",
        sha256Fingerprint: "BB:02",
        heldBy: "ord_full-r1",
        replaces: "0a01",
      },
      {
        serialNumber: "0a01",
        notBefore: "2027-02-01T00:00:00.000Z",
        notAfter: "2027-05-20T00:00:00.000Z",
        sha256Fingerprint: "AA:01",
        heldBy: "ord_full",
      },
    ],
    renewal: {
      inFlight: { orderId: "ord_full-r2", startedAt: AT, trigger: "scheduled", rekey: false },
      attempts: 2,
      lastFailure: { at: AT, code: "CA_UNAVAILABLE", message: "Down." },
      expiryNotices: [30],
    },
    installationCheck: true,
    installation: {
      checkedAt: AT,
      trigger: "renewal",
      certificateSerial: "0b02",
      results: [
        {
          domain: "xn--bcher-kva.example",
          host: "xn--bcher-kva.example",
          ok: false,
          finding: "OLD_CERTIFICATE",
          detail: "Still the old one.",
          servedSerial: "0a01",
          servedChain: [{ subject: "CN=bücher.example", serialNumber: "0a01" }],
        },
      ],
    },
    ...overrides,
  };
}

function parsed(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(JSON.parse(JSON.stringify(value)));
  return result.success ? "fits" : result.error.issues;
}

describe("the order view schema", () => {
  it("takes the view of an order with every field, its renewal running", () => {
    // Prepare
    const renewing = everyField({
      orderId: "ord_full-r2",
      status: "PENDING_VALIDATION",
      renewalOf: "ord_full",
      certificate: undefined,
    });

    // Act
    const view = orderView(everyField(), renewing);

    // Assess
    expect(parsed(orderViewSchema, view)).toBe("fits");
    expect(view.renewal?.status?.validations).toHaveLength(2);
    expect(view.renewal?.window).toBeDefined();
  });

  it("takes the views of a renewal, a cancelled order and an order that will not renew", () => {
    for (const order of [
      everyField({ renewalOf: "ord_earlier", renewal: undefined }),
      everyField({ status: "CANCELLED", certificate: undefined, certificates: undefined }),
      everyField({ autoRenew: false, renewal: undefined }),
      everyField({
        installation: { checkedAt: AT, trigger: "issuance", results: [], notRun: "No." },
      }),
    ]) {
      expect(parsed(orderViewSchema, orderView(order)), order.status).toBe("fits");
    }
  });

  it("refuses a view with a field it does not document", () => {
    expect(parsed(orderViewSchema, { ...orderView(everyField()), secretKey: "x" })).not.toBe(
      "fits",
    );
  });
});

describe("the other built answers", () => {
  it("fit their schemas", () => {
    const endpoint = {
      endpointId: "wh_0123456789abcdef0123",
      tenantId: "tenant-a",
      url: "https://hooks.example/certflow",
      createdAt: AT,
      state: "active" as const,
    };
    expect(parsed(webhookSchema, webhookView(endpoint))).toBe("fits");
    expect(
      parsed(webhookSchema, webhookView({ ...endpoint, events: ["order.status_changed"] })),
    ).toBe("fits");
    expect(
      parsed(
        deliveryAttemptSchema,
        attemptView({
          deliveryId: "msg_1",
          endpointId: endpoint.endpointId,
          eventType: "order.status_changed",
          attempt: 2,
          at: AT,
          outcome: "failed",
          statusCode: 500,
          cause: "HTTP_STATUS",
          detail: "500",
          durationMs: 12.5,
          nextRetryAt: LATER,
          responseExcerpt: "not now",
        }),
      ),
    ).toBe("fits");
    expect(
      parsed(approvalRequestSchema, {
        ...approvalView(
          {
            linkHash: "ab",
            orderId: "ord_full",
            tenantId: "tenant-a",
            approver: "admin@xn--bcher-kva.example",
            names: ["xn--bcher-kva.example"],
            createdAt: AT,
            validUntil: LATER,
            state: "pending",
          },
          everyField(),
        ),
        status: "pending",
      }),
    ).toBe("fits");
  });
});
