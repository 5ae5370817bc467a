import * as z from "zod/mini";
import { decideApproval } from "../../orders/approval-decisions.ts";
import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

const decisionSchema = z.strictObject({
  decision: z.enum(["approve", "decline"]),
  reason: z.optional(z.string().check(z.maxLength(500))),
});

/** The approver's decision on an approval link: once, never a second time. */
export const route = declareRoute(
  "POST /v1/approvals/{token}",
  {
    name: "DecideApproval",
    access: "public",
    body: { contentType: "application/json", schema: decisionSchema },
    needs: { table: "write", workflow: ["states:SendTaskSuccess", "states:SendTaskFailure"] },
  },
  async (deps, { event, body }) => {
    // One line of plain text: control characters would only garble the customer's view.
    const reason = body.reason?.replace(/\p{Cc}+/gu, " ").trim();
    const answer = await decideApproval(
      deps,
      event.pathParameters?.token ?? "",
      body.decision,
      reason === "" ? undefined : reason,
    );
    if (!answer.ok) {
      const { status, code, message } = answer.refusal;
      throw new ApiError(status, code, message);
    }
    return jsonResponse(
      200,
      { decision: body.decision, ...answer.view },
      { "cache-control": "no-store" },
    );
  },
);
