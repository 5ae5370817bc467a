import { approvalView, lookUpApproval } from "../../orders/approval-decisions.ts";
import { approvalPage, approvalRefusalPage } from "../approval-page.ts";
import { header } from "../principal.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

/**
 * What an approval link asks (no sign-in: the approver is not a customer): a page for people,
 * JSON for programs that send `Accept: application/json`.
 */
export const route = declareRoute(
  "GET /v1/approvals/{token}",
  { name: "GetApproval", access: "public", needs: { table: "read" } },
  async (deps, { event }) => {
    const found = await lookUpApproval(
      deps.store,
      event.pathParameters?.token ?? "",
      deps.clock.now(),
    );
    const wantsJson = (header(event, "accept") ?? "").includes("application/json");
    if (!found.ok) {
      const { status, code, message } = found.refusal;
      return wantsJson
        ? jsonResponse(status, { error: { code, message } }, { "cache-control": "no-store" })
        : approvalRefusalPage(found.refusal);
    }
    const view = approvalView(found.link, found.order);
    return wantsJson
      ? jsonResponse(200, { ...view, status: "pending" }, { "cache-control": "no-store" })
      : approvalPage(view);
  },
);
