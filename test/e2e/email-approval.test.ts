import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { openssl } from "./support/openssl.ts";

const TOKENS = "email-token:tenant-a:customer,operator-token:ops:operator";

interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
let operator: ApiClient;
const others: RunningService[] = [];

function settings(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CERTFLOW_API_TOKENS: TOKENS,
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_APPROVAL_RESEND_INTERVAL_SECONDS: "0",
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    ...extra,
  };
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService(settings());
  customer = new ApiClient(service.url, "email-token");
  operator = new ApiClient(service.url, "operator-token");
});

afterAll(async () => {
  await service?.stop();
  for (const other of others) await other.stop();
  await dns?.close();
});

async function mails(of: RunningService): Promise<Mail[]> {
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    of.output(),
  )?.[1];
  if (mailUrl === undefined) throw new Error(`no mail capture in:\n${of.output()}`);
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
  return store.emails.map((mail) => ({
    to: mail.destination.to as string[],
    subject: String(mail.subject),
    text: String(mail.body.text),
  }));
}

/** The approval links mailed to `approver` by `of`, oldest first (their secrets). */
async function linksTo(of: RunningService, approver: string, count = 1): Promise<string[]> {
  const started = Date.now();
  for (;;) {
    const secrets = (await mails(of))
      .filter((mail) => mail.to.includes(approver) && mail.subject.startsWith("Approve"))
      .map((mail) => /\/v1\/approvals\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? "");
    if (secrets.length >= count) return secrets;
    if (Date.now() - started > 20_000) throw new Error(`no approval mail to ${approver}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function submitEmailOrder(client: ApiClient, domains: string[], validation: object) {
  const answer = await client.request("POST", "/v1/orders", {
    body: {
      domains,
      validation: { method: "email", ...validation },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  return String(answer.json.id);
}

/** The approver's side: what a browser would GET and POST, without the customer's token. */
async function approvalPage(of: RunningService, secret: string, accept = "text/html") {
  const response = await fetch(`${of.url}/v1/approvals/${secret}`, { headers: { accept } });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    text: await response.text(),
    csp: response.headers.get("content-security-policy") ?? "",
  };
}

async function decide(of: RunningService, secret: string, body: object) {
  const response = await fetch(`${of.url}/v1/approvals/${secret}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe("email validation through the approval link", () => {
  it("issues once the approver approves, and the link never decides twice", async () => {
    // Prepare
    const orderId = await submitEmailOrder(
      customer,
      ["mail.certflow.test", "www.mail.certflow.test"],
      {
        approverEmail: "admin@mail.certflow.test",
      },
    );
    const [secret = ""] = await linksTo(service, "admin@mail.certflow.test");
    const waiting = await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
    const page = await approvalPage(service, secret);
    const asJson = await approvalPage(service, secret, "application/json");

    // Act
    const approved = await decide(service, secret, { decision: "approve" });
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);
    const again = await decide(service, secret, { decision: "decline" });
    const pageAfter = await approvalPage(service, secret);

    // Assess
    expect(waiting.warnings.map((w: any) => w.code)).toContain("EMAIL_VALIDATION_DEPRECATED");
    expect(waiting.validations[0].instructions).toEqual({
      method: "email",
      approver: "admin@mail.certflow.test",
    });
    expect(page.status, service.output().slice(-3000)).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain("www.mail.certflow.test");
    expect(page.text).toContain("Ada (ada@certflow.test)");
    expect(page.text).not.toContain(orderId);
    expect(page.csp).toContain("default-src 'none'");
    expect(JSON.parse(asJson.text)).toMatchObject({
      approver: "admin@mail.certflow.test",
      names: ["mail.certflow.test", "www.mail.certflow.test"],
      status: "pending",
    });
    expect(approved.status).toBe(200);
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe("APPROVAL_LINK_USED");
    expect(pageAfter.status).toBe(410);
    expect(pageAfter.text).toContain("Already approved");
    const pem = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem`);
    expect(openssl(["x509", "-noout", "-ext", "subjectAltName"], pem.bytes)).toContain(
      "DNS:www.mail.certflow.test",
    );
    const history = (await customer.request("GET", `/v1/orders/${orderId}/history`)).json;
    expect(JSON.stringify(history)).toContain("admin@mail.certflow.test approved");
    const all = await mails(service);
    const request = all.find((mail) => mail.to.includes("admin@mail.certflow.test"));
    expect(request?.text).toContain("2028-03-15");
    expect(all.some((mail) => mail.subject === "Waiting for approval: mail.certflow.test")).toBe(
      true,
    );
    expect(all.some((mail) => mail.subject === "Certificate issued for mail.certflow.test")).toBe(
      true,
    );
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("fails VALIDATION_FAILED with the approver's reason when they decline, and mails it", async () => {
    const orderId = await submitEmailOrder(customer, ["decline.certflow.test"], {
      approverEmail: "hostmaster@decline.certflow.test",
    });
    const [secret = ""] = await linksTo(service, "hostmaster@decline.certflow.test");

    const declined = await decide(service, secret, {
      decision: "decline",
      reason: "We did not order this.",
    });
    const failed = await customer.waitForOrder(orderId, (o) => o.status === "FAILED", 30_000);

    expect(declined.status).toBe(200);
    expect(failed.failure.code).toBe("VALIDATION_FAILED");
    expect(failed.failure.message).toContain("We did not order this.");
    await operator.waitForExecutionEnd(failed.execution.name);
    const failure = (await mails(service)).find(
      (m) => m.subject === "Order failed: decline.certflow.test",
    );
    expect(failure?.text).toContain("We did not order this.");
    expect((await approvalPage(service, secret)).status).toBe(410);
  });

  it("answers 404 with a page for a link that never existed", async () => {
    const page = await approvalPage(service, "x".repeat(43));
    const json = await decide(service, "not-a-link", { decision: "approve" });
    expect(page.status).toBe(404);
    expect(page.text).toContain("Unknown approval link");
    expect(json.status).toBe(404);
    expect(json.json.error.code).toBe("APPROVAL_LINK_UNKNOWN");
  });

  it("has each approver of names in two registered domains approve their own names", async () => {
    const orderId = await submitEmailOrder(customer, ["one.certflow.test", "two.example.test"], {
      approverEmails: {
        "one.certflow.test": "admin@certflow.test",
        "two.example.test": "webmaster@example.test",
      },
    });
    const [first = ""] = await linksTo(service, "admin@certflow.test");
    const [second = ""] = await linksTo(service, "webmaster@example.test");

    expect((await decide(service, first, { decision: "approve" })).status).toBe(200);
    const halfway = await customer.waitForOrder(orderId, (o) =>
      o.validations.some((v: any) => v.status === "published"),
    );
    expect(halfway.status).toBe("PENDING_VALIDATION");
    expect((await decide(service, second, { decision: "approve" })).status).toBe(200);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("mails a new link on resend, and the old one answers 410", async () => {
    const orderId = await submitEmailOrder(customer, ["resend.certflow.test"], {
      approverEmail: "postmaster@resend.certflow.test",
    });
    const [old = ""] = await linksTo(service, "postmaster@resend.certflow.test");
    await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");

    const resent = await customer.request("POST", `/v1/orders/${orderId}/validation/resend`);
    const [, fresh = ""] = await linksTo(service, "postmaster@resend.certflow.test", 2);
    const oldAnswer = await decide(service, old, { decision: "approve" });
    const freshAnswer = await decide(service, fresh, { decision: "approve" });
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

    expect(resent.status).toBe(200);
    expect(resent.json.mailedTo).toEqual(["postmaster@resend.certflow.test"]);
    expect(oldAnswer.status).toBe(410);
    expect(oldAnswer.json.error.code).toBe("APPROVAL_LINK_REPLACED");
    expect(freshAnswer.status).toBe(200);
    await operator.waitForExecutionEnd(issued.execution.name);
  });

  it("switches a waiting order from email to dns-txt under the same deadline, and issues", async () => {
    const orderId = await submitEmailOrder(customer, ["switch.certflow.test"], {
      approverEmail: "admin@switch.certflow.test",
    });
    const [link = ""] = await linksTo(service, "admin@switch.certflow.test");
    const before = await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");

    const switched = await customer.request("PUT", `/v1/orders/${orderId}/validation`, {
      body: { method: "dns-txt" },
    });
    const { host, value } = switched.json.validations[0].instructions;
    dns.setTxt(host, [value]);
    const checked = await customer.request("POST", `/v1/orders/${orderId}/checks`);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

    expect(switched.status).toBe(200);
    expect(switched.json.validationDeadline).toBe(before.validationDeadline);
    expect(switched.json.validations[0].method).toBe("dns-txt");
    expect(checked.json.allPublished).toBe(true);
    expect((await decide(service, link, { decision: "approve" })).json.error.code).toBe(
      "APPROVAL_LINK_REPLACED",
    );
    const instructions = (await mails(service)).filter(
      (mail) => mail.subject === "Action needed: publish the validation for switch.certflow.test",
    );
    expect(instructions[0]?.text).toContain(value);
    await operator.waitForExecutionEnd(issued.execution.name);
  });
});

describe("approval links across a restart and past the deadline", () => {
  it("takes a decision made after the local host restarted, and wakes the resumed order", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "certflow-e2e-approval-"));
    const first = await startLocalService(settings(), dataDir);
    others.push(first);
    const orderId = await submitEmailOrder(
      new ApiClient(first.url, "email-token"),
      ["restart.certflow.test"],
      {
        approverEmail: "admin@restart.certflow.test",
      },
    );
    const [secret = ""] = await linksTo(first, "admin@restart.certflow.test");
    await first.stop();

    const second = await startLocalService(settings(), dataDir);
    others.push(second);
    const approved = await decide(second, secret, { decision: "approve" });
    const issued = await new ApiClient(second.url, "email-token").waitForOrder(
      orderId,
      (o) => o.status === "ISSUED",
      30_000,
    );

    expect(approved.status).toBe(200);
    expect(issued.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);
  });

  it("answers 410 for a link whose deadline passed", async () => {
    const short = await startLocalService(settings({ CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "3" }));
    others.push(short);
    const client = new ApiClient(short.url, "email-token");
    const orderId = await submitEmailOrder(client, ["late.certflow.test"], {
      approverEmail: "admin@late.certflow.test",
    });
    const [secret = ""] = await linksTo(short, "admin@late.certflow.test");

    const failed = await client.waitForOrder(orderId, (o) => o.status === "FAILED", 30_000);
    const page = await approvalPage(short, secret);
    const answer = await decide(short, secret, { decision: "approve" });

    expect(failed.failure.code).toBe("VALIDATION_TIMED_OUT");
    expect(failed.failure.message).toContain("waiting for admin@late.certflow.test to approve");
    expect(page.status).toBe(410);
    expect(page.text).toContain("This link has expired");
    expect(answer.json.error.code).toBe("APPROVAL_LINK_EXPIRED");
  });
});
