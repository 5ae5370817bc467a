import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaaRecord } from "../../functions/domain/caa-policy.ts";
import {
  type CustomerDnsServer,
  startCustomerDnsServer,
} from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

/** The embedded CA's CAA identity in this run (CERTFLOW_CAA_IDENTITY). */
const IDENTITY = "ca.certflow.test";

let dns: CustomerDnsServer;
let service: RunningService;
let customer: ApiClient;
let operator: ApiClient;

const issue = (value: string, flags = 0): CaaRecord => ({ flags, tag: "issue", value });
const issuewild = (value: string): CaaRecord => ({ flags: 0, tag: "issuewild", value });

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "caa-token:tenant-a:customer,operator-token:ops:operator",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CAA_IDENTITY: IDENTITY,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  customer = new ApiClient(service.url, "caa-token");
  operator = new ApiClient(service.url, "operator-token");
});

afterAll(async () => {
  await service?.stop();
  await dns?.close();
});

async function submit(domain: string) {
  const answer = await customer.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  return answer.json.id as string;
}

async function failedWithCaa(orderId: string) {
  const order = await customer.waitForOrder(orderId, (o) => o.status === "FAILED", 30_000);
  expect(order.failure.code).toBe("CAA_FORBIDS");
  await operator.waitForExecutionEnd(order.execution.name);
  return order;
}

/** Publishes every TXT record the order asks for. */
async function publish(orderId: string) {
  const order = await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
  for (const validation of order.validations as { instructions: any }[]) {
    dns.setTxt(validation.instructions.host, [validation.instructions.value]);
  }
  return order;
}

async function failureMailOf(domain: string) {
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  expect(mailUrl).toBeDefined();
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
  return store.emails.find((mail) => String(mail.subject) === `Order failed: ${domain}`);
}

describe("CAA pre-check before the CA is asked", () => {
  it("fails an order CAA forbids, naming the record and what to add, and mails it", async () => {
    dns.setCaa("forbids.certflow.test", [issue("letsencrypt.org")]);
    const orderId = await submit("shop.forbids.certflow.test");
    const order = await failedWithCaa(orderId);
    expect(order.failure.message).toContain('forbids.certflow.test. CAA 0 issue "letsencrypt.org"');
    expect(order.failure.message).toContain(`Add forbids.certflow.test. CAA 0 issue "${IDENTITY}"`);
    // The CA was never asked: nothing to publish.
    expect(order.validations).toEqual([]);
    const mail = await failureMailOf("shop.forbids.certflow.test");
    expect(mail, "the failure mail").toBeDefined();
    expect(JSON.stringify(mail)).toContain("CAA_FORBIDS");
    expect(JSON.stringify(mail)).toContain(`CAA 0 issue \\"${IDENTITY}\\"`);
  });

  it("issues when CAA allows the CA, and the checks report CAA per name", async () => {
    dns.setCaa("allows.certflow.test", [issue("letsencrypt.org"), issue(IDENTITY)]);
    const orderId = await submit("shop.allows.certflow.test");
    await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
    // Checked before the TXT record is there: CAA allows, the record is missing.
    const checks = await customer.request("POST", `/v1/orders/${orderId}/checks`);
    expect(checks.status).toBe(200);
    const [result] = checks.json.results;
    expect(result.ok).toBe(false);
    expect(result.caa).toEqual({ ok: true });
    await publish(orderId);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);
    expect(issued.status).toBe("ISSUED");
  });

  it("fails an order when a critical CAA tag no CA knows is present", async () => {
    dns.setCaa("critical.certflow.test", [issue(IDENTITY), { flags: 128, tag: "tbs", value: "x" }]);
    const order = await failedWithCaa(await submit("critical.certflow.test"));
    expect(order.failure.message).toContain('critical.certflow.test. CAA 128 tbs "x"');
    expect(order.failure.message).toContain("marked critical");
  });

  it("judges a wildcard by issuewild, and its base name by issue", async () => {
    dns.setCaa("wild.certflow.test", [issue(IDENTITY), issuewild("letsencrypt.org")]);
    const wildcard = await failedWithCaa(await submit("*.wild.certflow.test"));
    expect(wildcard.failure.message).toContain(
      'wild.certflow.test. CAA 0 issuewild "letsencrypt.org"',
    );
    expect(wildcard.failure.message).toContain(
      `Add wild.certflow.test. CAA 0 issuewild "${IDENTITY}"`,
    );

    const plain = await submit("www.wild.certflow.test");
    await publish(plain);
    await customer.waitForOrder(plain, (o) => o.status === "ISSUED", 30_000);

    dns.setCaa("wildok.certflow.test", [issue(";"), issuewild(IDENTITY)]);
    const allowedWildcard = await submit("*.wildok.certflow.test");
    await publish(allowedWildcard);
    await customer.waitForOrder(allowedWildcard, (o) => o.status === "ISSUED", 30_000);
  });

  it("keeps the name unpublished while CAA answers SERVFAIL, and goes on once it resolves", async () => {
    dns.setServfail("servfail.certflow.test");
    const orderId = await submit("shop.servfail.certflow.test");
    const placed = await publish(orderId);
    const host = placed.validations[0].instructions.host as string;
    const value = placed.validations[0].instructions.value as string;

    const checks = await customer.request("POST", `/v1/orders/${orderId}/checks`);
    expect(checks.status).toBe(200);
    expect(checks.json.allPublished).toBe(false);
    const [result] = checks.json.results;
    expect(result.ok).toBe(false);
    expect(result.caa).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });
    expect(result.caa.detail).toContain("SERVFAIL");
    const waiting = await customer.request("GET", `/v1/orders/${orderId}`);
    expect(waiting.json.status).toBe("PENDING_VALIDATION");
    expect(waiting.json.validations[0].caa).toMatchObject({ ok: false, cause: "DNS_SERVFAIL" });

    // The zone is repaired: every record is served again, without the SERVFAIL.
    dns.clear();
    dns.setTxt(host, [value]);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);
    expect(issued.status).toBe("ISSUED");
  });

  it("fails a waiting order when CAA changes to forbid the CA", async () => {
    const orderId = await submit("shop.changes.certflow.test");
    await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
    dns.setCaa("changes.certflow.test", [issue("letsencrypt.org")]);
    const order = await failedWithCaa(orderId);
    expect(order.failure.message).toContain('changes.certflow.test. CAA 0 issue "letsencrypt.org"');
  });
});
