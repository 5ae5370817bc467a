import type { ApiDependencies } from "./api-dependencies.ts";
import type { ApiEvent, ApiResult } from "./api-types.ts";
import { cancelOrder } from "./routes/cancel-order.ts";
import { downloadCertificate } from "./routes/download-certificate.ts";
import { getOrder, getOrderHistory } from "./routes/get-order.ts";
import { listOrders } from "./routes/list-orders.ts";
import { getApproverEmails, getCaRoot, getExecution, getServiceInfo } from "./routes/operations.ts";
import { revokeOrder } from "./routes/revoke-order.ts";
import { runChecks } from "./routes/run-checks.ts";
import { submitOrder } from "./routes/submit-order.ts";

export interface ApiRoute {
  /** Also the name of the route's Lambda function on AWS. */
  readonly name: string;
  readonly method: "GET" | "POST";
  /** API Gateway resource path, with {parameters}. */
  readonly path: string;
  /** Routes anyone may call without a token. */
  readonly public?: boolean;
  readonly handle: (deps: ApiDependencies, event: ApiEvent) => Promise<ApiResult>;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { name: "SubmitOrder", method: "POST", path: "/v1/orders", handle: submitOrder },
  { name: "ListOrders", method: "GET", path: "/v1/orders", handle: listOrders },
  { name: "GetOrder", method: "GET", path: "/v1/orders/{id}", handle: getOrder },
  {
    name: "GetOrderHistory",
    method: "GET",
    path: "/v1/orders/{id}/history",
    handle: getOrderHistory,
  },
  { name: "RunChecks", method: "POST", path: "/v1/orders/{id}/checks", handle: runChecks },
  {
    name: "DownloadCertificate",
    method: "GET",
    path: "/v1/orders/{id}/certificate",
    handle: downloadCertificate,
  },
  {
    name: "CancelOrder",
    method: "POST",
    path: "/v1/orders/{id}/cancellation",
    handle: cancelOrder,
  },
  {
    name: "RevokeCertificate",
    method: "POST",
    path: "/v1/orders/{id}/revocation",
    handle: revokeOrder,
  },
  {
    name: "GetServiceInfo",
    method: "GET",
    path: "/v1/service-info",
    public: true,
    handle: getServiceInfo,
  },
  { name: "GetCaRoot", method: "GET", path: "/v1/ca/root.pem", public: true, handle: getCaRoot },
  { name: "GetExecution", method: "GET", path: "/v1/executions/{name}", handle: getExecution },
  {
    name: "GetApproverEmails",
    method: "GET",
    path: "/v1/domains/{domain}/approver-emails",
    handle: getApproverEmails,
  },
];

/** Finds the route for a method and concrete path, with its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of API_ROUTES) {
    const parameters = matchPath(route.path, path);
    if (parameters === undefined) continue;
    if (route.method === method) return { route, pathParameters: parameters };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const patternParts = pattern.split("/");
  const pathParts = path.split("/");
  if (patternParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? "";
    const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
    if (parameter !== undefined) {
      if (actual === "") return undefined;
      parameters[parameter] = decodeURIComponent(actual);
    } else if (part !== actual) {
      return undefined;
    }
  }
  return parameters;
}
