import type { ApiRoute } from "../api/route-table.ts";

/**
 * The handler of the route this function serves (CERTFLOW_FUNCTION), loaded alone. The stack
 * hands the function's name to esbuild as a constant, so every condition but one folds to
 * false and the bundle holds that route's module only, not the whole route table with every
 * route's dependencies. A unit test checks this list against API_ROUTES.
 */
export async function loadRouteHandle(): Promise<ApiRoute["handle"] | undefined> {
  if (process.env.CERTFLOW_FUNCTION === "SubmitOrder") {
    return (await import("../api/routes/submit-order.ts")).submitOrder;
  }
  if (process.env.CERTFLOW_FUNCTION === "ListOrders") {
    return (await import("../api/routes/list-orders.ts")).listOrders;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetOrder") {
    return (await import("../api/routes/get-order.ts")).getOrder;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetOrderHistory") {
    return (await import("../api/routes/get-order.ts")).getOrderHistory;
  }
  if (process.env.CERTFLOW_FUNCTION === "RunChecks") {
    return (await import("../api/routes/run-checks.ts")).runChecks;
  }
  if (process.env.CERTFLOW_FUNCTION === "DownloadCertificate") {
    return (await import("../api/routes/download-certificate.ts")).downloadCertificate;
  }
  if (process.env.CERTFLOW_FUNCTION === "CancelOrder") {
    return (await import("../api/routes/cancel-order.ts")).cancelOrder;
  }
  if (process.env.CERTFLOW_FUNCTION === "RevokeCertificate") {
    return (await import("../api/routes/revoke-order.ts")).revokeOrder;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetServiceInfo") {
    return (await import("../api/routes/operations.ts")).getServiceInfo;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetCaRoot") {
    return (await import("../api/routes/operations.ts")).getCaRoot;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetExecution") {
    return (await import("../api/routes/operations.ts")).getExecution;
  }
  if (process.env.CERTFLOW_FUNCTION === "GetApproverEmails") {
    return (await import("../api/routes/operations.ts")).getApproverEmails;
  }
  return undefined;
}
