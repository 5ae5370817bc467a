import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import {
  type AuthoritativePair,
  startAuthoritativePair,
} from "../support/authoritative-dns-servers.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const zone = "propagation.certflow.test";
const ns1 = `ns1.${zone} (127.0.0.2)`;
const ns2 = `ns2.${zone} (127.0.0.3)`;

let resolver: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let servers: AuthoritativePair;
let service: RunningService;

beforeAll(async () => {
  // The configured resolver delegates the zone to two authoritative servers that disagree.
  resolver = await startCustomerDnsServer();
  servers = await startAuthoritativePair();
  servers.delegate(resolver, zone);
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "propagation-token:tenant-a:customer,operator-token:ops:operator",
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: resolver.address,
    CERTFLOW_DNS_AUTHORITATIVE_PORT: String(servers.port),
  });
});

afterAll(async () => {
  await service?.stop();
  await servers?.close();
  await resolver?.close();
});

it("names, per authoritative server, where a TXT record is published and where not yet, and issues once both have it", async () => {
  const customer = new ApiClient(service.url, "propagation-token");
  const submitted = await customer.request("POST", "/v1/orders", {
    body: {
      domains: [`shop.${zone}`],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
  const waiting = await customer.waitForOrder(
    submitted.json.id,
    (o) => o.status === "PENDING_VALIDATION",
  );
  const { host, value } = waiting.validations[0].instructions as { host: string; value: string };

  // The record reached the resolver and ns1, not ns2 yet.
  resolver.setTxt(host, [value]);
  servers.ns1.setTxt(host, [value]);
  const checks = await customer.request("POST", `/v1/orders/${submitted.json.id}/checks`);
  expect(checks.status, JSON.stringify(checks.json)).toBe(200);
  expect(checks.json.allPublished).toBe(false);
  const [result] = checks.json.results;
  expect(result).toMatchObject({ domain: `shop.${zone}`, ok: false, cause: "NOT_PROPAGATED" });
  const named = `Published on ${ns1}, not yet on ${ns2}.`;
  expect(String(result.detail).slice(0, named.length)).toBe(named);
  expect(result.servers).toEqual([
    { name: `ns1.${zone}`, address: "127.0.0.2", found: true, answered: true },
    {
      name: `ns2.${zone}`,
      address: "127.0.0.3",
      found: false,
      answered: true,
      detail: `The name ${host} does not exist in DNS (NXDOMAIN), so it has no TXT record.`,
    },
  ]);

  const view = await customer.request("GET", `/v1/orders/${submitted.json.id}`);
  expect(view.json.status).toBe("PENDING_VALIDATION");
  expect(view.json.validations[0].lastCheck).toMatchObject({
    ok: false,
    cause: "NOT_PROPAGATED",
    detail: result.detail,
    servers: result.servers,
  });

  // ns2 catches up: the next check passes and the order goes on to issue.
  servers.ns2.setTxt(host, [value]);
  const passed = await customer.request("POST", `/v1/orders/${submitted.json.id}/checks`);
  expect(passed.status, JSON.stringify(passed.json)).toBe(200);
  expect(passed.json.allPublished).toBe(true);
  expect(passed.json.results[0].servers).toEqual([
    { name: `ns1.${zone}`, address: "127.0.0.2", found: true, answered: true },
    { name: `ns2.${zone}`, address: "127.0.0.3", found: true, answered: true },
  ]);
  const issued = await customer.waitForOrder(submitted.json.id, (o) => o.status === "ISSUED");
  expect(issued.validations[0].status).toBe("valid");

  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  expect(mailUrl).toBeDefined();
  // The issued mail is the workflow's step after ISSUED is recorded: it may follow by a moment.
  const subjects = async () =>
    ((await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] }).emails.map(
      (mail) => String(mail.subject),
    );
  await expect.poll(subjects, { timeout: 15_000 }).toContain(`Certificate issued for shop.${zone}`);
});
