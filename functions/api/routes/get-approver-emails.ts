import { approverEmails } from "../../domain/dcv-methods.ts";
import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/domains/{domain}/approver-emails",
  { name: "GetApproverEmails", needs: {} },
  async (_deps, { event }) => {
    const domain = (event.pathParameters?.domain ?? "").trim().toLowerCase();
    if (domain === "") throw new ApiError(400, "INVALID_DOMAIN", "Name a domain.");
    return jsonResponse(200, { domain, approverEmails: approverEmails(domain) });
  },
);
