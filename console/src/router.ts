// Screens by the URL's fragment (#/orders/ord_…): one page to serve, deep links work from any
// static host, and nothing secret is ever in it (the token stays in sessionStorage).
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { readonly screen: "orders"; readonly status?: string; readonly domain?: string }
  | { readonly screen: "new-order" }
  | { readonly screen: "order"; readonly orderId: string }
  | { readonly screen: "execution"; readonly orderId: string }
  | { readonly screen: "reviews" }
  | { readonly screen: "find" }
  | { readonly screen: "home" }
  | { readonly screen: "not-found"; readonly path: string };

/** The route a fragment names ("#/orders?status=ISSUED"). */
export function parseRoute(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const parts = path.split("/").filter((part) => part !== "");
  const params = new URLSearchParams(query);
  const [first, second, third] = parts;
  if (first === undefined) return { screen: "home" };
  if (first === "orders" && second === undefined) {
    const status = params.get("status") ?? undefined;
    const domain = params.get("domain") ?? undefined;
    return {
      screen: "orders",
      ...(status === undefined || status === "" ? {} : { status }),
      ...(domain === undefined || domain === "" ? {} : { domain }),
    };
  }
  if (first === "orders" && second === "new" && third === undefined) return { screen: "new-order" };
  if (first === "orders" && second !== undefined && /^ord_[A-Za-z0-9]+$/.test(second)) {
    if (third === undefined) return { screen: "order", orderId: second };
    if (third === "execution" && parts.length === 3)
      return { screen: "execution", orderId: second };
  }
  if (first === "reviews" && second === undefined) return { screen: "reviews" };
  if (first === "find" && second === undefined) return { screen: "find" };
  return { screen: "not-found", path };
}

/** The fragment of a route: the inverse of parseRoute. */
export function hrefOf(route: Route): string {
  switch (route.screen) {
    case "home":
      return "#/";
    case "orders": {
      const params = new URLSearchParams();
      if (route.status !== undefined) params.set("status", route.status);
      if (route.domain !== undefined) params.set("domain", route.domain);
      const query = params.toString();
      return query === "" ? "#/orders" : `#/orders?${query}`;
    }
    case "new-order":
      return "#/orders/new";
    case "order":
      return `#/orders/${route.orderId}`;
    case "execution":
      return `#/orders/${route.orderId}/execution`;
    case "reviews":
      return "#/reviews";
    case "find":
      return "#/find";
    case "not-found":
      return `#/${route.path}`;
  }
}

export function navigate(route: Route): void {
  location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}
