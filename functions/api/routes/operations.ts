import { approverEmails } from "../../domain/dcv-methods.ts";
import type { ApiDependencies } from "../api-dependencies.ts";
import { ApiError, notFound } from "../api-errors.ts";
import type { ApiEvent, ApiResult } from "../api-types.ts";
import { principalOf, requireRole } from "../principal.ts";
import { jsonResponse } from "../responses.ts";

export async function getCaRoot(deps: ApiDependencies): Promise<ApiResult> {
  const root = await deps.ca.rootCertificatePem();
  if (root === undefined) throw notFound("A root certificate for this CA");
  return { statusCode: 200, headers: { "content-type": "application/x-pem-file" }, body: root };
}

export async function getExecution(deps: ApiDependencies, event: ApiEvent): Promise<ApiResult> {
  requireRole(principalOf(event), "operator");
  const name = event.pathParameters?.name ?? "";
  const execution = await deps.workflow.describeExecution(name);
  if (execution === undefined) throw notFound(`Execution ${name}`);
  return jsonResponse(200, execution);
}

export async function getApproverEmails(
  _deps: ApiDependencies,
  event: ApiEvent,
): Promise<ApiResult> {
  principalOf(event);
  const domain = (event.pathParameters?.domain ?? "").trim().toLowerCase();
  if (domain === "") throw new ApiError(400, "INVALID_DOMAIN", "Name a domain.");
  return jsonResponse(200, { domain, approverEmails: approverEmails(domain) });
}

export async function getServiceInfo(deps: ApiDependencies): Promise<ApiResult> {
  return jsonResponse(200, { ca: deps.ca.kind, ...deps.serviceInfo });
}
