import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const SITE = "loopback.certflow.test";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let web: Server;
let requestsSeen: string[];
let service: RunningService;
let customer: ApiClient;

beforeAll(async () => {
  requestsSeen = [];
  dns = await startCustomerDnsServer();
  dns.setA(SITE, "127.0.0.1");
  // Serves whatever is asked for, and notes every request: none may arrive.
  web = createServer((request, response) => {
    requestsSeen.push(`${request.headers.host} ${request.url}`);
    response.end("anything");
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  const address = web.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "tenant-a-token:tenant-a:customer",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_HTTP_VALIDATION_PORT: String(address.port),
    CERTFLOW_ALLOW_LOOPBACK_CHECKS: "false",
  });
  customer = new ApiClient(service.url, "tenant-a-token");
});

afterAll(async () => {
  await service?.stop();
  await new Promise<void>((resolve) => web?.close(() => resolve()));
  await dns?.close();
});

describe("the local service with CERTFLOW_ALLOW_LOOPBACK_CHECKS=false", () => {
  it("answers ADDRESS_NOT_PUBLIC for a name on 127.0.0.1 and fetches nothing", async () => {
    // Prepare
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: [SITE],
        validation: { method: "http-file" },
        contact: { name: "Ada Lovelace", email: "ada@certflow.test" },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    await customer.waitForOrder(
      submitted.json.id,
      (order) => order.status === "PENDING_VALIDATION",
    );

    // Act
    const checked = await customer.request("POST", `/v1/orders/${submitted.json.id}/checks`);

    // Assess
    expect(checked.status, JSON.stringify(checked.json)).toBe(200);
    expect(checked.json.results[0]).toMatchObject({ cause: "ADDRESS_NOT_PUBLIC" });
    expect(JSON.stringify(checked.json)).not.toContain("127.0.0.1");
    expect(requestsSeen).toEqual([]);
    expect(service.output()).toContain("on public addresses only");
  });
});
