import { describe, expect, it } from "vitest";
import { hrefOf, parseRoute, type Route } from "../../../console/src/router.ts";

describe("the console's screens by the URL's fragment", () => {
  it.each<[string, Route]>([
    ["", { screen: "home" }],
    ["#/", { screen: "home" }],
    ["#/orders", { screen: "orders" }],
    [
      "#/orders?status=ISSUED&domain=shop.example.com",
      { screen: "orders", status: "ISSUED", domain: "shop.example.com" },
    ],
    ["#/orders/new", { screen: "new-order" }],
    ["#/orders/ord_01ABC", { screen: "order", orderId: "ord_01ABC" }],
    ["#/orders/ord_01ABC/execution", { screen: "execution", orderId: "ord_01ABC" }],
    ["#/reviews", { screen: "reviews" }],
    ["#/find", { screen: "find" }],
    ["#/orders/not-an-id", { screen: "not-found", path: "/orders/not-an-id" }],
    ["#/orders/ord_1/<script>", { screen: "not-found", path: "/orders/ord_1/<script>" }],
  ])("reads %j", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it("writes each screen's fragment so that reading it gives the screen back", () => {
    const routes: Route[] = [
      { screen: "home" },
      { screen: "orders" },
      { screen: "orders", status: "FAILED", domain: "bücher.example" },
      { screen: "new-order" },
      { screen: "order", orderId: "ord_x1" },
      { screen: "execution", orderId: "ord_x1" },
      { screen: "reviews" },
      { screen: "find" },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
  });
});
