import { ApiError } from "./api-errors.ts";
import type { ApiEvent, Principal } from "./api-types.ts";

/** Tenant and role come from the authorizer (API Gateway's, or the local host's token table). */
export function principalOf(event: ApiEvent): Principal {
  const authorizer = event.requestContext?.authorizer ?? {};
  const tenantId = authorizer.tenantId;
  const role = authorizer.role;
  if (typeof tenantId !== "string" || (role !== "customer" && role !== "operator")) {
    throw new ApiError(
      401,
      "UNAUTHENTICATED",
      "Send a valid API token as 'Authorization: Bearer <token>'.",
    );
  }
  return { tenantId, role };
}

export function header(event: ApiEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The caller as an order's history names them: the customer, or an operator and their tenant. */
export function whoActed(principal: Principal): string {
  return principal.role === "operator"
    ? `an operator (tenant ${principal.tenantId})`
    : `the customer (tenant ${principal.tenantId})`;
}
