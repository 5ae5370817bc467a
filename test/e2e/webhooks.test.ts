import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const TOKENS = "hooks-token:tenant-a:customer,other-token:tenant-b:customer";
/** The first retry's pause: long enough for the service to be stopped before it is due. */
const RETRY_SECONDS = 8;

interface Received {
  readonly at: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly answered: number;
}

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const running: RunningService[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "certflow-e2e-webhooks-"));

/** The customer's webhook receiver on loopback: 500 to the very first delivery, 200 after. */
function startReceiver(): Promise<void> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const answered = received.length === 0 ? 500 : 200;
      received.push({
        at: Date.now(),
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        ),
        body: Buffer.concat(chunks).toString("utf8"),
        answered,
      });
      response.writeHead(answered, { "content-type": "text/plain" });
      response.end(answered === 200 ? "thanks" : "not now");
    });
  });
  return new Promise((resolve) =>
    receiver.listen(0, "127.0.0.1", () => {
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/certflow`;
      resolve();
    }),
  );
}

/** Standard Webhooks verification, as a receiver does it (the README's snippet). */
function verified(secret: string, delivery: Received): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signed = `${delivery.headers["webhook-id"]}.${delivery.headers["webhook-timestamp"]}.${delivery.body}`;
  const expected = Buffer.from(`v1,${createHmac("sha256", key).update(signed).digest("base64")}`);
  return (delivery.headers["webhook-signature"] ?? "").split(" ").some((signature) => {
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function start(): Promise<RunningService> {
  const service = await startLocalService(
    {
      CERTFLOW_API_TOKENS: TOKENS,
      CERTFLOW_DNS_RESOLVER: dns.address,
      CERTFLOW_CHECK_EARLY_SECONDS: "1",
      CERTFLOW_CHECK_LATE_SECONDS: "2",
      CERTFLOW_WEBHOOK_RETRY_SECONDS: `${RETRY_SECONDS},1,1`,
    },
    dataDir,
  );
  running.push(service);
  return service;
}

async function until<T>(what: string, find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  await startReceiver();
});

afterAll(async () => {
  for (const service of running) await service.stop();
  await dns?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

it("delivers signed order events to a loopback receiver, retries a 500 across a restart, and sends ISSUED", async () => {
  // Prepare: an endpoint, and an order whose first event the receiver refuses.
  const first = await start();
  const customer = new ApiClient(first.url, "hooks-token");
  const created = await customer.request("POST", "/v1/webhooks", { body: { url: receiverUrl } });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const { id: endpointId, secret } = created.json as { id: string; secret: string };
  const listed = await customer.request("GET", "/v1/webhooks");
  expect(JSON.stringify(listed.json)).not.toContain(secret);
  expect(
    (
      await new ApiClient(first.url, "other-token").request(
        "GET",
        `/v1/webhooks/${endpointId}/deliveries`,
      )
    ).status,
  ).toBe(404);
  const submitted = await customer.request("POST", "/v1/orders", {
    body: {
      domains: ["hooks.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status).toBe(202);
  const orderId = String(submitted.json.id);

  // Act 1: the first delivery is refused; the service stops before its retry is due.
  const refused = await until("the first delivery", () => received[0]);
  await first.stop();
  const refusedId = refused.headers["webhook-id"];
  expect(refused.answered).toBe(500);
  expect(received.filter((delivery) => delivery.headers["webhook-id"] === refusedId)).toHaveLength(
    1,
  );

  // Act 2: started again, the pending retry goes out when due; the customer publishes.
  const second = await start();
  const again = new ApiClient(second.url, "hooks-token");
  const retried = await until("the retry", () =>
    received.find((delivery, index) => index > 0 && delivery.headers["webhook-id"] === refusedId),
  );
  const waiting = await again.waitForOrder(
    orderId,
    (order) => order.validations?.[0]?.instructions !== undefined,
  );
  const { host, value } = waiting.validations[0].instructions;
  dns.setTxt(host, [value]);
  await again.waitForOrder(orderId, (order) => order.status === "ISSUED");
  const issued = await until("the ISSUED event", () =>
    received.find((delivery) => {
      const body = JSON.parse(delivery.body);
      return body.type === "order.status_changed" && body.data.status === "ISSUED";
    }),
  );

  // Assess: the retry, the same delivery signed anew, and every delivery verifies.
  expect(retried.answered).toBe(200);
  expect(retried.body).toBe(refused.body);
  expect(retried.at - refused.at).toBeGreaterThanOrEqual(RETRY_SECONDS * 1000);
  expect(Number(retried.headers["webhook-timestamp"])).toBeGreaterThan(
    Number(refused.headers["webhook-timestamp"]),
  );
  expect(JSON.parse(issued.body)).toMatchObject({
    type: "order.status_changed",
    data: { orderId, status: "ISSUED", domains: ["hooks.certflow.test"] },
  });
  for (const delivery of received) {
    expect(verified(secret, delivery), delivery.body).toBe(true);
    expect(delivery.headers["webhook-id"]).toMatch(/^msg_[a-z2-7]{26}$/);
    expect(delivery.headers["content-type"]).toBe("application/json");
  }
  const types = new Set(received.map((delivery) => JSON.parse(delivery.body).type));
  expect(types).toEqual(new Set(["order.status_changed", "order.mail_sent"]));

  // The endpoint's log: newest first, the refused attempt with its retry time.
  const log = await again.request("GET", `/v1/webhooks/${endpointId}/deliveries?limit=100`);
  const attempts = log.json.deliveries as {
    id: string;
    attempt: number;
    statusCode: number;
    nextRetryAt?: string;
  }[];
  const ofRefused = attempts.filter((attempt) => attempt.id === refusedId);
  expect(ofRefused.map((attempt) => [attempt.attempt, attempt.statusCode])).toEqual([
    [2, 200],
    [1, 500],
  ]);
  expect(ofRefused[1]?.nextRetryAt).toBeDefined();

  // What EventBridge would get on AWS, written to the data directory instead.
  const eventsFile = join(dataDir, "events.jsonl");
  await until("the events file", () => (existsSync(eventsFile) ? true : undefined));
  const events = readFileSync(eventsFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(events).toContainEqual(
    expect.objectContaining({
      source: "certflow",
      "detail-type": "Order Status Changed",
      detail: expect.objectContaining({ orderId, status: "ISSUED", tenantId: "tenant-a" }),
    }),
  );
  // The secret is in no log, file or answer after the one that created the endpoint.
  expect(second.output()).not.toContain(secret.slice("whsec_".length));
  expect(first.output()).not.toContain(secret.slice("whsec_".length));
});
