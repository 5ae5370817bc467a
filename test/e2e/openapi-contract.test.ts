// The OpenAPI document against the running service: real answers of `npm start`'s entry point,
// over HTTP, each checked against the response the document gives for its route and status.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import {
  committedDocument,
  type ResponseContract,
  responseContract,
} from "../support/openapi-contract.ts";
import { type ApiAnswer, ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const TOKENS = "contract-token:tenant-a:customer,contract-operator:ops:operator";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let receiver: Server;
let receiverUrl: string;
let service: RunningService;
let contract: ResponseContract;
let customer: CheckedClient;
let operator: CheckedClient;
let anonymous: CheckedClient;
/** Every operation an answer was checked for, and the statuses it answered. */
const checked = new Map<string, Set<number>>();

/** A client whose every answer must fit the document: the test fails on the first that does not. */
class CheckedClient {
  readonly #client: ApiClient;

  constructor(token: string) {
    this.#client = new ApiClient(service.url, token);
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const answer = await this.#client.request(method, path, options);
    const { operationId, problems } = contract.check({
      method,
      path,
      status: answer.status,
      contentType: answer.headers.get("content-type"),
      json: answer.json,
    });
    expect(problems, `${method} ${path} → ${answer.status} ${JSON.stringify(answer.json)}`).toEqual(
      [],
    );
    checked.set(operationId, new Set([...(checked.get(operationId) ?? []), answer.status]));
    return answer;
  }

  /** Polls the order (each answer checked) until `done` holds. */
  async waitForOrder(orderId: string, done: (order: any) => boolean, timeoutMs = 60_000) {
    const started = Date.now();
    let last: any;
    while (Date.now() - started < timeoutMs) {
      last = (await this.request("GET", `/v1/orders/${orderId}`)).json;
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `order ${orderId} did not get there in time; last seen: ${JSON.stringify(last)}`,
    );
  }
}

/** A webhook receiver on loopback that takes everything. */
function startReceiver(): Promise<void> {
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("thanks");
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, "127.0.0.1", () => {
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  await startReceiver();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: TOKENS,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  contract = responseContract(committedDocument());
  customer = new CheckedClient("contract-token");
  operator = new CheckedClient("contract-operator");
  anonymous = new CheckedClient("no-such-token");
});

afterAll(async () => {
  await service?.stop();
  await dns?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("the running service", () => {
  it("serves the committed document at GET /v1/openapi.json, without a token", async () => {
    const response = await fetch(`${service.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(committedDocument());
  });

  it("answers an order's life as documented: submit, follow, check, issue, list, history, download", async () => {
    // Submit
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["contract.certflow.test", "www.contract.certflow.test"],
        validation: { method: "dns-txt" },
        contact: { name: "Ada Lovelace", email: "ada@certflow.test", phone: "+44 20 7946 0000" },
        installationCheck: false,
      },
      headers: { "Idempotency-Key": "contract-order-1" },
    });
    expect(submitted.status).toBe(202);
    const orderId = submitted.json.id as string;

    // Follow it to its instructions, and check before anything is published
    const waiting = await customer.waitForOrder(
      orderId,
      (order) => order.status === "PENDING_VALIDATION",
    );
    const early = await customer.request("POST", `/v1/orders/${orderId}/checks`);
    expect(early.status).toBe(200);
    expect(early.json.allPublished).toBe(false);

    // Publish, check again, and follow it to ISSUED
    for (const validation of waiting.validations as { instructions: any }[]) {
      dns.setTxt(validation.instructions.host, [validation.instructions.value]);
    }
    const published = await customer.request("POST", `/v1/orders/${orderId}/checks`);
    expect(published.json.allPublished).toBe(true);
    const issued = await customer.waitForOrder(orderId, (order) => order.status === "ISSUED");
    expect(issued.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);

    // List, history, execution, download
    expect((await customer.request("GET", "/v1/orders?limit=5")).json.orders[0].id).toBe(orderId);
    expect((await customer.request("GET", "/v1/orders?status=ISSUED")).status).toBe(200);
    const history = await customer.request("GET", `/v1/orders/${orderId}/history`);
    expect(history.json.events.length).toBeGreaterThan(3);
    const execution = await operator.request("GET", `/v1/executions/${issued.execution.name}`);
    expect(execution.status).toBe(200);
    const pem = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem`);
    expect(pem.status).toBe(200);
    expect(new TextDecoder().decode(pem.bytes)).toContain("-----BEGIN CERTIFICATE-----");

    // Turn renewal off and on; a renewal run
    expect(
      (
        await customer.request("PUT", `/v1/orders/${orderId}/renewal`, {
          body: { autoRenew: false },
        })
      ).json.renewal.auto,
    ).toBe(false);
    await customer.request("PUT", `/v1/orders/${orderId}/renewal`, { body: { autoRenew: true } });
    expect((await operator.request("POST", "/v1/renewal-runs")).status).toBe(202);

    // A second order, cancelled while it waits
    const second = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["cancel.contract.certflow.test"],
        validation: { method: "http-file" },
        key: { type: "RSA-2048" },
        contact: { name: "Ada", email: "ada@certflow.test" },
      },
    });
    await customer.waitForOrder(second.json.id, (order) => order.status === "PENDING_VALIDATION");
    const cancelled = await customer.request("POST", `/v1/orders/${second.json.id}/cancellation`);
    expect(cancelled.json.status).toBe("CANCELLED");
  });

  it("answers refusals in the documented error envelope", async () => {
    const answers = [
      await anonymous.request("GET", "/v1/orders"),
      await customer.request("GET", "/v1/reviews"),
      await customer.request("GET", "/v1/orders/ord_unknown"),
      await customer.request("GET", "/v1/orders?status=SHIPPED"),
      await customer.request("POST", "/v1/orders", {
        body: { domains: [], validation: { method: "carrier-pigeon" }, surprise: true },
      }),
      await customer.request("POST", "/v1/orders", {
        body: {
          domains: ["10.0.0.1"],
          validation: { method: "dns-txt" },
          contact: { name: "Ada", email: "ada@certflow.test" },
        },
      }),
      await customer.request("GET", "/v1/domains/-bad-.example/approver-emails"),
      await customer.request("POST", "/v1/webhooks/wh_00000000000000000000/ping"),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([
      401, 403, 404, 400, 400, 422, 422, 404,
    ]);
    expect(answers[4]?.json.error.details.issues.length).toBeGreaterThan(1);
  });

  it("answers the webhook routes as documented: create, list, ping, deliveries, delete", async () => {
    const created = await customer.request("POST", "/v1/webhooks", {
      body: { url: receiverUrl, events: ["order.status_changed"] },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.id as string;
    expect((await customer.request("GET", "/v1/webhooks")).json.webhooks).toHaveLength(1);
    const ping = await customer.request("POST", `/v1/webhooks/${id}/ping`);
    expect(ping.json.delivered).toBe(true);
    const deliveries = await customer.request("GET", `/v1/webhooks/${id}/deliveries?limit=10`);
    expect(deliveries.json.deliveries[0].eventType).toBe("webhook.ping");
    expect((await customer.request("DELETE", `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await customer.request("GET", "/v1/webhooks")).json.webhooks).toEqual([]);
  });

  it("answers the public and operator routes as documented", async () => {
    expect((await anonymous.request("GET", "/v1/service-info")).json.ca).toBe("embedded");
    expect((await anonymous.request("GET", "/v1/ca/root.pem")).status).toBe(200);
    expect((await anonymous.request("GET", "/v1/ca/crl")).status).toBe(200);
    expect((await anonymous.request("GET", "/v1/openapi.json")).status).toBe(200);
    expect(
      (
        await anonymous.request("GET", "/v1/approvals/no-such-link", {
          headers: { accept: "application/json" },
        })
      ).status,
    ).toBe(404);
    expect((await operator.request("GET", "/v1/reviews")).json.reviews).toEqual([]);
    expect(
      (await customer.request("GET", "/v1/domains/shop.certflow.test/approver-emails")).json
        .approverEmails,
    ).toContain("admin@shop.certflow.test");
  });

  it("checked answers of many routes, successes and refusals", () => {
    expect([...checked.keys()].sort()).toEqual(
      expect.arrayContaining([
        "CancelOrder",
        "ChangeRenewal",
        "CreateWebhook",
        "DeleteWebhook",
        "DownloadCertificate",
        "GetExecution",
        "GetOrder",
        "GetOrderHistory",
        "ListOrders",
        "ListWebhookDeliveries",
        "ListWebhooks",
        "PingWebhook",
        "RunChecks",
        "StartRenewalRun",
        "SubmitOrder",
      ]),
    );
    expect(checked.get("SubmitOrder")).toEqual(new Set([202, 400, 422]));
  });
});
