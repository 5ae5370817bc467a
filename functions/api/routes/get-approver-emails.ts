import { ApiError } from "../api-errors.ts";
import { jsonResponse } from "../responses.ts";
import { declareRoute } from "../route-declaration.ts";

export const route = declareRoute(
  "GET /v1/domains/{domain}/approver-emails",
  { name: "GetApproverEmails", needs: {} },
  async (deps, { event }) => {
    const domain = (event.pathParameters?.domain ?? "").trim();
    if (domain === "") throw new ApiError(400, "INVALID_DOMAIN", "Name a domain.");
    // The public suffix list behind these rules loads on the first request, not when the
    // function starts (see README, "Cold starts").
    const [{ normalizeDomainNames }, { approverEmails }] = await Promise.all([
      import("../../domain/domain-names.ts"),
      import("../../domain/dcv-methods.ts"),
    ]);
    // The same rules as the names of an order for this deployment's CA.
    const checked = normalizeDomainNames([domain], { issuer: deps.caProfile.audience });
    if (!checked.ok) {
      const [first] = checked.problems;
      throw new ApiError(422, first?.code ?? "INVALID_DOMAIN", first?.message ?? "", {
        problems: checked.problems,
      });
    }
    const [name] = checked.value;
    if (name === undefined) throw new ApiError(400, "INVALID_DOMAIN", "Name a domain.");
    return jsonResponse(200, { domain: name.ascii, approverEmails: approverEmails(name.ascii) });
  },
);
