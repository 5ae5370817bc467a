import { describe, expect, it } from "vitest";
import { matchRoute } from "../../../functions/api/route-matching.ts";

const ROUTES = [
  { method: "POST", path: "/v1/orders" },
  { method: "GET", path: "/v1/orders" },
  { method: "GET", path: "/v1/orders/{id}" },
];

describe("matchRoute", () => {
  it("finds the route of a method and path, with its decoded path parameters", () => {
    const match = matchRoute(ROUTES, "GET", "/v1/orders/ord%5Fabc");

    expect(match).toEqual({ route: ROUTES[2], pathParameters: { id: "ord_abc" } });
  });

  it("answers which methods a known path allows", () => {
    expect(matchRoute(ROUTES, "DELETE", "/v1/orders")).toEqual({ allowed: ["POST", "GET"] });
  });

  it("finds nothing for an unknown path or an empty parameter", () => {
    expect(matchRoute(ROUTES, "GET", "/v2/orders")).toBeUndefined();
    expect(matchRoute(ROUTES, "GET", "/v1/orders/")).toBeUndefined();
  });
});
