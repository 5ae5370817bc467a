import * as z from "zod/mini";
import { EMAIL_DEPRECATION_WARNING } from "../../domain/email-validation-dates.ts";
import type { ValidationRecord } from "../../domain/order-record.ts";
import { instructionsMail } from "../../mail/order-mails.ts";
import { sendApprovalRequests } from "../../orders/approval-requests.ts";
import { noteEvent, updateOrder } from "../../orders/order-updates.ts";
import { allNamesPublished } from "../../orders/publication-checks.ts";
import { CaRejected, CaUnavailable } from "../../ports/certificate-authority.ts";
import { TaskNotWaiting } from "../../ports/workflow-engine.ts";
import { nextWaitTurn } from "../../workflow/publication-cadence.ts";
import type { TurnResult } from "../../workflow/wait-loop.ts";
import { ApiError } from "../api-errors.ts";
import { orderView } from "../order-view.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";
import { tenantOrder } from "../tenant-order.ts";

const changeSchema = z.strictObject({
  method: z.enum(["http-file", "dns-txt", "dns-cname", "email"]),
  approverEmail: z.optional(z.string()),
  approverEmails: z.optional(z.record(z.string(), z.string())),
});

/**
 * Switches the validation method (or the approver) of an order that waits for validation: the
 * names not yet validated get new instructions, mailed at once; the wait goes on under the same
 * deadline. Earlier approval links die.
 */
export const route = declareRoute(
  "PUT /v1/orders/{id}/validation",
  {
    name: "ChangeValidation",
    body: { contentType: "application/json", schema: changeSchema },
    needs: { table: "write", ca: true, mail: true, workflow: ["states:SendTaskSuccess"] },
  },
  async (deps, { event, principal, body }) => {
    const order = await tenantOrder(deps, event, principal);
    if (order.status !== "PENDING_VALIDATION" || order.caOrderRef === undefined) {
      throw new ApiError(
        409,
        "NOT_WAITING_FOR_VALIDATION",
        `Order ${order.orderId} is ${order.status}; its validation can change only while it waits for validation.`,
      );
    }
    if (allNamesPublished(order.validations)) {
      // The wait is over: the CA is being asked to validate what was published or approved.
      throw new ApiError(
        409,
        "VALIDATION_UNDER_WAY",
        `Every name of order ${order.orderId} is published or approved, and the CA is validating them: the method can no longer change.`,
      );
    }
    if (body.method === "email" && deps.caProfile.kind === "acme") {
      throw new ApiError(
        422,
        "NOT_OFFERED_BY_CA",
        "ACME CAs have no email validation: use dns-txt, dns-cname or http-file.",
      );
    }
    const now = deps.clock.now();
    // The public suffix list behind these rules loads on the first request (README, "Cold starts").
    const [{ checkValidationMethod, normalizeApproverEmail }, { normalizeDomainNames }] =
      await Promise.all([
        import("../../domain/dcv-methods.ts"),
        import("../../domain/domain-names.ts"),
      ]);
    const names = normalizeDomainNames(
      order.names.map((name) => name.ascii),
      { issuer: deps.caProfile.audience },
    );
    if (!names.ok) throw new Error(`Order ${order.orderId} holds names the rules refuse`);
    const checked = checkValidationMethod(names.value, body.method, {
      validationDate: now,
      ...(body.approverEmail === undefined ? {} : { approverEmail: body.approverEmail }),
      ...(body.approverEmails === undefined ? {} : { approverEmails: body.approverEmails }),
    });
    if (!checked.ok) {
      throw new ApiError(
        422,
        checked.problems[0]?.code ?? "INVALID_METHOD",
        checked.problems.map((problem) => problem.message).join(" "),
        { problems: checked.problems },
      );
    }
    const approvers = checked.value.approvers;
    const open = order.validations.filter((validation) => validation.status !== "valid");
    const openNames = order.names.filter((name) => open.some((v) => v.domain === name.ascii));
    let challenges: Awaited<ReturnType<typeof deps.ca.changeMethod>>;
    try {
      challenges = await deps.ca.changeMethod(order.caOrderRef, {
        tenantId: order.tenantId,
        names: openNames,
        method: body.method,
        ...(approvers === undefined ? {} : { approvers }),
      });
    } catch (error) {
      if (error instanceof CaRejected)
        throw new ApiError(422, "METHOD_CHANGE_REFUSED", error.message);
      if (error instanceof CaUnavailable) {
        throw new ApiError(503, "CA_UNAVAILABLE", "The CA could not be reached; please retry.");
      }
      throw error;
    }
    const byDomain = new Map(challenges.map((challenge) => [challenge.domain, challenge]));
    const from = order.method;
    const updated = await updateOrder(deps.store, order.orderId, (current) => {
      if (current.status !== "PENDING_VALIDATION") return undefined;
      const validations = current.validations.map((validation): ValidationRecord => {
        const challenge = byDomain.get(validation.domain);
        if (challenge === undefined || validation.status === "valid") return validation;
        return {
          domain: validation.domain,
          method: body.method,
          status: "pending",
          instructions: challenge.instructions,
        };
      });
      return {
        changes: {
          method: body.method,
          // As an order placed with the method holds them.
          approverEmail:
            body.method === "email" && body.approverEmail !== undefined
              ? normalizeApproverEmail(body.approverEmail)
              : undefined,
          approvers,
          validations,
          approvalLinks: [],
          warnings: [
            ...current.warnings.filter(
              (warning) => warning.code !== EMAIL_DEPRECATION_WARNING.code,
            ),
            ...checked.warnings.map(({ code, message }) => ({ code, message })),
          ],
        },
        event: noteEvent(
          now,
          "validation",
          `Validation switched from ${from} to ${body.method}${approvers === undefined ? "" : ` (approved by ${[...new Set(Object.values(approvers))].join(", ")})`}; the deadline stays ${current.validationDeadline ?? ""}.`,
        ),
      };
    });
    if (updated.status !== "PENDING_VALIDATION") {
      throw new ApiError(409, "NOT_WAITING_FOR_VALIDATION", `Order ${order.orderId} moved on.`);
    }
    // Links mailed before the switch are dead from now on.
    for (const link of order.approvalLinks ?? []) {
      await deps.store.settleApprovalLink(link.linkHash, {
        state: "replaced",
        at: now.toISOString(),
      });
    }
    await deps.mailer.send(instructionsMail(updated, deps.settings.publicApiUrl));
    await updateOrder(deps.store, order.orderId, () => ({
      changes: {},
      event: noteEvent(
        now,
        "mail",
        `Validation instructions (switched) mailed to ${updated.contact.email}.`,
      ),
    }));
    if (body.method === "email") {
      await sendApprovalRequests(deps, updated, { replace: false, why: "Approval request" });
    }
    // The parked turn ends now and the next one waits as the new method needs, looking first
    // when its wait is over (the customer may press "verify now" sooner).
    const deadline = new Date(updated.validationDeadline ?? now.toISOString());
    const next = nextWaitTurn(updated.validations, deadline, deps.settings, now);
    if (updated.waitToken !== undefined && next.kind === "check") {
      try {
        await deps.workflow.sendTaskSuccess(updated.waitToken, {
          done: false,
          waitSeconds: next.waitSeconds,
          checkedAt: now.toISOString(),
        } satisfies TurnResult);
      } catch (error) {
        if (!(error instanceof TaskNotWaiting)) throw error;
      }
    }
    const current = await deps.store.get(order.orderId);
    return jsonResponse(200, orderView(current ?? updated));
  },
);
