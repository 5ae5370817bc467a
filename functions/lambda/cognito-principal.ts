import type { ApiEvent, Role } from "../api/api-types.ts";

/** The Cognito user pool settings the stack and the API functions share. */
export const COGNITO_PRINCIPAL = {
  /** Custom user attribute holding the user's tenant; set by an administrator, read-only to users. */
  tenantAttribute: "tenant",
  operatorGroup: "operator",
  customerGroup: "customer",
} as const;

const TENANT_CLAIM = `custom:${COGNITO_PRINCIPAL.tenantAttribute}`;

function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== "string") return [];
  // API Gateway hands the groups claim over as text: "a", "a,b" or "[a b]".
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .filter((group) => group !== "");
}

/**
 * Turns the ID-token claims API Gateway's Cognito authorizer verified into the principal the
 * routes read (`authorizer.tenantId` and `authorizer.role`). Operators win when a user is in
 * both groups; a user in neither group, or without a tenant, gets no principal (401).
 */
export function withCognitoPrincipal(event: ApiEvent): ApiEvent {
  const claims = event.requestContext?.authorizer?.claims;
  const principal: { tenantId?: string; role?: Role } = {};
  if (typeof claims === "object" && claims !== null) {
    const record = claims as Record<string, unknown>;
    const tenant = record[TENANT_CLAIM];
    const groups = groupsOf(record["cognito:groups"]);
    const role: Role | undefined = groups.includes(COGNITO_PRINCIPAL.operatorGroup)
      ? "operator"
      : groups.includes(COGNITO_PRINCIPAL.customerGroup)
        ? "customer"
        : undefined;
    if (typeof tenant === "string" && tenant !== "" && role !== undefined) {
      principal.tenantId = tenant;
      principal.role = role;
    }
  }
  return { ...event, requestContext: { ...event.requestContext, authorizer: principal } };
}
