import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renewCommand } from "../../functions/cli/renew-command.ts";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { ApiClient } from "./support/api-client.ts";
import { openssl } from "./support/openssl.ts";

// The local host in this process, on a clock the test moves: a certificate's renewal time
// (two thirds of its life) comes without waiting months. Every record counts as published.

const TOKENS = { customer: "renew-customer", operator: "renew-operator" };
const clock = fixedClock(new Date());
const published: DcvChecker = { check: async () => ({ ok: true }) };

let host: LocalHost;
let customer: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: join(mkdtempSync(join(tmpdir(), "certflow-e2e-renew-")), "data"),
    CERTFLOW_API_TOKENS: `${TOKENS.customer}:tenant-a:customer,${TOKENS.operator}:ops:operator`,
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    CERTFLOW_RENEWAL_INTERVAL_SECONDS: "0",
  });
  host = await startLocalHost(settings, {
    fresh: true,
    clock,
    dcv: published,
    log: (line) => {
      if (/error|fail/i.test(line)) console.log(line);
    },
  });
  customer = new ApiClient(host.url, TOKENS.customer);
  operator = new ApiClient(host.url, TOKENS.operator);
});

afterAll(async () => {
  await host?.stop();
});

async function issuedOrder(domain: string, extra: object = {}) {
  const submitted = await customer.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
      ...extra,
    },
  });
  expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
  return customer.waitForOrder(submitted.json.id, (o) => o.status === "ISSUED", 30_000);
}

async function publicKeyOf(orderId: string, serial?: string): Promise<string> {
  const query = serial === undefined ? "" : `&serial=${serial}`;
  const pem = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem${query}`);
  expect(pem.status).toBe(200);
  return openssl(["x509", "-noout", "-pubkey"], pem.bytes);
}

async function serialOf(orderId: string, serial?: string): Promise<string> {
  const query = serial === undefined ? "" : `&serial=${serial}`;
  const pem = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem${query}`);
  return openssl(["x509", "-noout", "-serial"], pem.bytes)
    .trim()
    .replace(/^serial=/, "")
    .toLowerCase();
}

async function mailSubjects(): Promise<string[]> {
  const store = (await fetch(`${host.emulators.ses.endpoint}/store`).then((r) => r.json())) as {
    emails: { subject: string }[];
  };
  return store.emails.map((mail) => mail.subject);
}

const renewedTimes = (order: any) => (order.certificates ?? []).length;

describe("renewals", () => {
  it("renews on schedule with the same key and CSR, once however many runs race", async () => {
    // Prepare
    const order = await issuedOrder("renew.certflow.test");
    const firstSerial = order.certificate.serialNumber;
    const firstKey = await publicKeyOf(order.id);
    clock.set(new Date(Date.parse(order.renewal.nextAt) + 60_000));

    // Act: two runs at once.
    const runs = await Promise.all([
      operator.request("POST", "/v1/renewal-runs"),
      operator.request("POST", "/v1/renewal-runs"),
    ]);
    const renewed = await customer.waitForOrder(order.id, (o) => renewedTimes(o) === 2, 30_000);

    // Assess
    expect(runs.map((run) => run.status)).toEqual([202, 202]);
    expect(runs.reduce((sum, run) => sum + run.json.started, 0)).toBe(1);
    expect(renewed.status).toBe("ISSUED");
    expect(renewed.certificates[0].replaces).toBe(firstSerial);
    expect(renewed.certificates[1].serialNumber).toBe(firstSerial);
    expect(renewed.certificate.serialNumber).not.toBe(firstSerial);
    expect(await publicKeyOf(order.id)).toBe(firstKey);
    expect(await serialOf(order.id)).toBe(renewed.certificate.serialNumber);
    expect(await serialOf(order.id, firstSerial)).toBe(firstSerial);
    expect(Date.parse(renewed.renewal.nextAt)).toBeGreaterThan(clock.now().getTime());
    const history = JSON.stringify(
      (await customer.request("GET", `/v1/orders/${order.id}/history`)).json,
    );
    expect(history).toContain(`replaces ${firstSerial}`);
    expect(await mailSubjects()).toContain("Certificate renewed for renew.certflow.test");
    const listed = (await customer.request("GET", "/v1/orders")).json.orders;
    expect(listed.filter((o: any) => o.domains[0] === "renew.certflow.test")).toHaveLength(1);
  });

  it("renews by hand with a new key, and refuses a second renewal while one runs", async () => {
    const order = await issuedOrder("rekey.certflow.test");
    const firstKey = await publicKeyOf(order.id);

    const started = await customer.request("POST", `/v1/orders/${order.id}/renewals`, {
      body: { rekey: true },
    });
    const again = await customer.request("POST", `/v1/orders/${order.id}/renewals`, { body: {} });
    const renewed = await customer.waitForOrder(order.id, (o) => renewedTimes(o) === 2, 30_000);

    expect(started.status).toBe(202);
    expect(started.json.renewal).toMatchObject({ rekey: true });
    expect([409, 202]).toContain(again.status);
    if (again.status === 409) expect(again.json.error.code).toBe("RENEWAL_IN_FLIGHT");
    expect(await publicKeyOf(order.id)).not.toBe(firstKey);
    expect(renewed.renewal.status).toBeUndefined();
  });

  it("marks an order EXPIRED when its certificate ends with auto-renewal off, and mails it", async () => {
    const order = await issuedOrder("expire.certflow.test");
    const off = await customer.request("PUT", `/v1/orders/${order.id}/renewal`, {
      body: { autoRenew: false },
    });
    clock.set(new Date(Date.parse(order.certificate.notAfter) + 60_000));

    const run = await operator.request("POST", "/v1/renewal-runs");
    const expired = await customer.request("GET", `/v1/orders/${order.id}`);

    expect(off.json.renewal.auto).toBe(false);
    expect(run.json.expired).toBeGreaterThanOrEqual(1);
    expect(expired.json.status).toBe("EXPIRED");
    expect(await mailSubjects()).toContain("Certificate expired: expire.certflow.test");
  });
});

describe("plans", () => {
  it("reissues a 12-month plan's certificates until the plan ends, then tells the customer", async () => {
    // Prepare
    const start = clock.now();
    const order = await issuedOrder("plan.certflow.test", { planMonths: 12 });
    const planEndsAt = Date.parse(order.renewal.planEndsAt);
    expect(order.renewal.planMonths).toBe(12);

    // Act: each renewal time in turn, until no renewal is planned.
    let current = order;
    for (let turn = 0; turn < 6 && current.renewal.nextAt !== undefined; turn++) {
      clock.set(new Date(Date.parse(current.renewal.nextAt) + 60_000));
      const run = await operator.request("POST", "/v1/renewal-runs");
      expect(run.json.started).toBe(1);
      const count = renewedTimes(current) || 1;
      current = await customer.waitForOrder(order.id, (o) => renewedTimes(o) === count + 1, 30_000);
    }
    clock.set(new Date(Date.parse(current.certificate.notAfter) - 29 * 86_400_000));
    const noticeRun = await operator.request("POST", "/v1/renewal-runs");

    // Assess
    expect(planEndsAt - start.getTime()).toBeGreaterThan(364 * 86_400_000);
    expect(current.certificates.length).toBeGreaterThanOrEqual(3);
    const lastEnd = Date.parse(current.certificate.notAfter);
    expect(Math.abs(lastEnd - planEndsAt)).toBeLessThan(86_400_000);
    for (const certificate of current.certificates) {
      expect(Date.parse(certificate.notAfter)).toBeLessThanOrEqual(planEndsAt + 86_400_000);
    }
    expect(current.renewal.nextAt).toBeUndefined();
    expect(current.renewal.notRenewing).toBe(
      `the order's plan ends at ${order.renewal.planEndsAt}`,
    );
    expect(noticeRun.json).toMatchObject({ started: 0, notified: 1 });
    expect(await mailSubjects()).toContain("Certificate expiring in 29 days: plan.certflow.test");
    const refused = await customer.request("POST", `/v1/orders/${order.id}/renewals`, {
      body: {},
    });
    clock.set(new Date(planEndsAt + 60_000));
    const afterPlan = await customer.request("POST", `/v1/orders/${order.id}/renewals`, {
      body: {},
    });
    expect([202, 409]).toContain(refused.status);
    expect(afterPlan.status).toBe(409);
    expect(afterPlan.json.error.code).toBe("PLAN_ENDED");
  });
});

describe("certflow renew --due", () => {
  it("runs the renewal run through the service and prints its counts", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };

    const code = await renewCommand.run(
      ["--due", "--url", host.url, "--token", TOKENS.operator],
      io,
    );
    const refused = await renewCommand.run(
      ["--due", "--url", host.url, "--token", TOKENS.customer],
      io,
    );

    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/^Renewal run at .*: \d+ due; \d+ renewal\(s\) started/);
    expect(refused).not.toBe(0);
    expect(err.join("\n")).toContain("refused (403)");
  });
});
