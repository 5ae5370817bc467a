import { createHash } from "node:crypto";
import { planEnd, planValidityDays } from "../../domain/certificate-lifecycle.ts";
import type { OrderRecord } from "../../domain/order-record.ts";
import { reviewForNewOrder } from "../../orders/organization-approvals.ts";
import type { CaDirectory } from "../../ports/ca-directory.ts";
import { CaUnavailable } from "../../ports/certificate-authority.ts";
import { IdempotencyKeyInUse, type OrderStore } from "../../ports/order-store.ts";
import { ExecutionAlreadyExists, type WorkflowEngine } from "../../ports/workflow-engine.ts";
import type { WorkflowSettings } from "../../workflow/workflow-settings.ts";
import { ApiError, RateLimited } from "../api-errors.ts";
import type { ApiResult } from "../api-types.ts";
import { orderRequestSchema } from "../order-request-schema.ts";
import { orderView } from "../order-view.ts";
import { header } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

export const route = declareRoute(
  "POST /v1/orders",
  {
    name: "SubmitOrder",
    body: { contentType: "application/json", schema: orderRequestSchema },
    needs: {
      table: "write",
      vaultRead: ["csrs"],
      vaultWrite: ["csrs"],
      workflow: ["states:StartExecution"],
      caDirectory: true,
    },
  },
  async (deps, { event, principal, body: orderRequest, rawBody: body }) => {
    const now = deps.clock.now();
    const quota = await deps.store.countUse(
      {
        key: `submissions#${principal.tenantId}`,
        limit: deps.settings.submissionsPerMinute,
        windowSeconds: 60,
      },
      now,
    );
    if (!quota.allowed) {
      throw new RateLimited(
        `This account may submit ${deps.settings.submissionsPerMinute} orders a minute; retry in ${quota.retryAfterSeconds} s.`,
        quota.retryAfterSeconds,
      );
    }
    // Before any rule about their details: what this deployment's CA cannot do at all.
    if (deps.caProfile.kind === "acme" && orderRequest.validation.method === "email") {
      throw new ApiError(
        422,
        "NOT_OFFERED_BY_CA",
        "This service orders from an ACME CA, and ACME has no email validation: use dns-txt, dns-cname or http-file.",
      );
    }
    if (deps.caProfile.kind === "acme" && orderRequest.product !== "DV") {
      throw new ApiError(
        422,
        "NOT_OFFERED_BY_CA",
        `This service orders from an ACME CA, which issues DV certificates only; ${orderRequest.product} is not offered.`,
      );
    }
    // The public suffix list behind the name rules loads on the first order, not when the
    // function starts (see README, "Cold starts").
    const { validateOrderRequest } = await import("../../domain/order-request.ts");
    const validation = validateOrderRequest(orderRequest, { issuer: deps.caProfile.audience, now });
    if (!validation.ok) {
      throw new ApiError(
        422,
        validation.problems[0]?.code ?? "INVALID_ORDER",
        summarize(validation.problems),
        {
          problems: validation.problems,
        },
      );
    }
    const request = validation.value;
    const names = request.names.map((name) => name.ascii);
    if (request.keySource.kind === "uploaded-csr") {
      // The CSR reader (asn1js) loads with the first uploaded CSR: orders whose key the service
      // makes never load it.
      const { verifyCsr } = await import("../../pki/csr-verify.ts");
      const verification = await verifyCsr(request.keySource.csrPem, names);
      if (!verification.ok) {
        throw new ApiError(422, "CSR_DEFECTIVE", summarize(verification.defects), {
          defects: verification.defects,
        });
      }
    }

    if (orderRequest.profile !== undefined) {
      await ensureProfileOffered(deps.caDirectory, orderRequest.profile, deps.logError);
    }

    const idempotencyKey = header(event, "Idempotency-Key");
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(idempotencyKey)) {
      throw new ApiError(
        400,
        "INVALID_IDEMPOTENCY_KEY",
        "Idempotency-Key must be 1-128 visible ASCII characters.",
      );
    }
    const orderId = deps.newOrderId();
    const review = await reviewForNewOrder(
      deps.store,
      {
        tenantId: principal.tenantId,
        product: request.product,
        ...(request.organization === undefined ? {} : { organization: request.organization }),
        ...(request.ev === undefined ? {} : { ev: request.ev }),
      },
      deps.settings,
      now,
    );
    const executionName = `${orderId}-1`;
    const planEndsAt =
      orderRequest.planMonths === undefined
        ? undefined
        : planEnd(now, orderRequest.planMonths).toISOString();
    const order: OrderRecord = {
      orderId,
      tenantId: principal.tenantId,
      status: "SUBMITTED",
      version: 0,
      product: request.product,
      names: request.names.map((name) => ({
        ascii: name.ascii,
        display: name.display,
        wildcard: name.wildcard,
      })),
      method: request.method,
      approverEmail: request.approverEmail,
      ...(request.approvers === undefined ? {} : { approvers: request.approvers }),
      keySource:
        request.keySource.kind === "generated"
          ? { kind: "generated", keyType: request.keySource.keyType }
          : { kind: "uploaded-csr" },
      contact: request.contact,
      organization: request.organization,
      ...(request.ev === undefined ? {} : { ev: request.ev }),
      ...(review === undefined ? {} : { review }),
      validityDays: planValidityDays(request.validityDays, planEndsAt, now),
      ...(request.installationCheck === true ? { installationCheck: true } : {}),
      ...(orderRequest.autoRenew === false ? { autoRenew: false } : {}),
      ...(orderRequest.planMonths === undefined
        ? {}
        : { planMonths: orderRequest.planMonths, planEndsAt }),
      ...(orderRequest.profile === undefined ? {} : { profile: orderRequest.profile }),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      validations: [],
      executionName,
      warnings: request.warnings.map((warning) => ({
        code: warning.code,
        message: warning.message,
      })),
    };
    // The CSR goes first: an order is never visible without it, and an orphan CSR is harmless.
    if (request.keySource.kind === "uploaded-csr") {
      await deps.vault.putCsr(orderId, request.keySource.csrPem);
    }
    const claim =
      idempotencyKey === undefined
        ? undefined
        : {
            tenantId: principal.tenantId,
            key: idempotencyKey,
            requestHash: createHash("sha256").update(JSON.stringify(body)).digest("hex"),
            expiresAt: new Date(now.getTime() + IDEMPOTENCY_WINDOW_SECONDS * 1000).toISOString(),
          };
    let result: Awaited<ReturnType<OrderStore["create"]>>;
    try {
      result = await deps.store.create(
        order,
        {
          at: now.toISOString(),
          type: "status",
          status: "SUBMITTED",
          message:
            review === undefined
              ? "Order submitted."
              : review.status === "approved"
                ? `Order submitted. The organization review is skipped: ${review.reason ?? ""}`
                : `Order submitted. The organization review waits for the signed confirmation letter (POST /v1/orders/${orderId}/documents) until ${review.deadline}.`,
        },
        claim,
      );
    } catch (error) {
      if (error instanceof IdempotencyKeyInUse) {
        throw new ApiError(
          409,
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key is in use by another request.",
        );
      }
      throw error;
    }
    if (!result.created) {
      if (!result.sameRequest) {
        throw new ApiError(
          409,
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key was already used with a different request.",
        );
      }
      // The first request may have stopped between storing and starting: a replay starts the
      // order if it has not moved yet (starting a started execution counts as started).
      if (result.existing.status === "SUBMITTED") {
        try {
          await startOrder(deps, result.existing);
        } catch (error) {
          deps.logError(error);
          throw new ApiError(
            503,
            "WORKFLOW_UNAVAILABLE",
            "The order could not be started; please retry.",
          );
        }
      }
      return accepted(deps, result.existing);
    }
    // A replay that completed a half-written order carries the first request's id.
    const created = result.order;
    try {
      await startOrder(deps, { ...created, executionName: created.executionName ?? executionName });
    } catch (error) {
      deps.logError(error);
      await deps.store.update(
        result.order,
        {
          status: "FAILED",
          failure: {
            code: "INTERNAL",
            message: "The order could not be started; please resubmit.",
          },
        },
        {
          at: now.toISOString(),
          type: "status",
          status: "FAILED",
          message: "The workflow could not be started.",
        },
      );
      throw new ApiError(
        503,
        "WORKFLOW_UNAVAILABLE",
        "The order could not be started; please retry.",
      );
    }
    return accepted(deps, result.order);
  },
);

/**
 * Refuses a profile the CA does not offer (422 PROFILE_UNKNOWN, naming those it offers); 503
 * when the CA's directory cannot be read to tell.
 */
async function ensureProfileOffered(
  caDirectory: CaDirectory,
  profile: string,
  logError: (error: unknown) => void,
): Promise<void> {
  let offered: Readonly<Record<string, string>>;
  try {
    offered = await caDirectory.profiles();
  } catch (error) {
    if (!(error instanceof CaUnavailable)) logError(error);
    throw new ApiError(
      503,
      "CA_UNAVAILABLE",
      "The CA's profiles could not be read to check the profile asked for; please retry.",
    );
  }
  if (Object.hasOwn(offered, profile)) return;
  const names = Object.keys(offered);
  throw new ApiError(
    422,
    "PROFILE_UNKNOWN",
    names.length === 0
      ? `This service's CA offers no profiles; "${profile}" cannot be asked for. Leave out "profile".`
      : `The CA offers no profile "${profile}"; it offers ${names.map((name) => `"${name}"`).join(", ")}.`,
    { field: "profile", offered },
  );
}

/** Starts the order's execution; an engine that already has it counts as started. */
async function startOrder(
  deps: { readonly workflow: WorkflowEngine },
  order: OrderRecord,
): Promise<void> {
  const executionName = order.executionName ?? `${order.orderId}-1`;
  try {
    await deps.workflow.startExecution(executionName, { orderId: order.orderId });
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
}

function accepted(deps: { readonly settings: WorkflowSettings }, order: OrderRecord): ApiResult {
  return jsonResponse(202, orderView(order), {
    location: `${deps.settings.publicApiUrl}/v1/orders/${order.orderId}`,
  });
}

function summarize(problems: readonly { message: string }[]): string {
  return problems.map((problem) => problem.message).join(" ");
}
