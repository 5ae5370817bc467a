import { describe, expect, it } from "vitest";
import type { ApiEvent } from "../../../functions/api/api-types.ts";
import { principalOf } from "../../../functions/api/principal.ts";
import { withCognitoPrincipal } from "../../../functions/lambda/cognito-principal.ts";

describe("the Cognito principal", () => {
  const eventWith = (claims: Record<string, unknown> | undefined): ApiEvent => ({
    httpMethod: "GET",
    path: "/v1/orders",
    requestContext: { requestId: "r", authorizer: claims === undefined ? undefined : { claims } },
  });

  it("maps the tenant attribute and the groups claim to what the routes read", () => {
    expect(
      principalOf(
        withCognitoPrincipal(eventWith({ "custom:tenant": "acme", "cognito:groups": "customer" })),
      ),
    ).toEqual({ tenantId: "acme", role: "customer" });
    for (const groups of ["customer,operator", "[customer operator]", ["operator"]]) {
      expect(
        principalOf(
          withCognitoPrincipal(eventWith({ "custom:tenant": "ops", "cognito:groups": groups })),
        ),
      ).toEqual({ tenantId: "ops", role: "operator" });
    }
  });

  it("gives no principal (401) without a tenant, without a group, or without claims", () => {
    for (const claims of [
      { "cognito:groups": "customer" },
      { "custom:tenant": "acme" },
      { "custom:tenant": "acme", "cognito:groups": "auditors" },
      undefined,
    ]) {
      expect(() => principalOf(withCognitoPrincipal(eventWith(claims)))).toThrow(/token/);
    }
  });

  it("ignores a principal smuggled in beside the claims", () => {
    const event: ApiEvent = {
      httpMethod: "GET",
      path: "/v1/orders",
      requestContext: { authorizer: { tenantId: "victim", role: "operator" } },
    };
    expect(withCognitoPrincipal(event).requestContext?.authorizer).toEqual({});
  });
});
