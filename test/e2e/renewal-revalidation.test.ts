import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { CheckOutcome, DcvChecker, Publication } from "../../functions/ports/dcv-checker.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { ApiClient } from "./support/api-client.ts";
import { openssl } from "./support/openssl.ts";

// A renewal whose domain validation is no longer reusable. From 2029-03-15 a DNS validation may
// be reused for 10 days while a certificate lasts 47: when a certificate is due for renewal (two
// thirds of its life), the tenant's proof has lapsed and the customer must publish again. The
// local host runs in this process on a clock the test moves; the customer's DNS is a zone the
// test writes records into, and the service's checks read it. The service looks by itself every
// 5 s (real time): the test publishes just after one of its looks and presses "verify now", so
// it is the customer's check that moves the order on.

const TOKENS = { customer: "reval-customer", operator: "reval-operator" };
const clock = fixedClock(new Date("2029-04-01T09:00:00.000Z"));

/** The customer's DNS: one TXT value per host, as the customer last published it. */
const zone = new Map<string, string>();
const customerDns: DcvChecker = {
  check: async (publication: Publication): Promise<CheckOutcome> => {
    if (publication.kind === "http-file") {
      return { ok: false, cause: "CONNECTION_REFUSED", detail: "No web server in this test." };
    }
    const found = zone.get(publication.host);
    if (found === publication.value) return { ok: true };
    return found === undefined
      ? { ok: false, cause: "NO_RECORD", detail: `No TXT record at ${publication.host}.` }
      : {
          ok: false,
          cause: "WRONG_VALUE",
          detail: `${publication.host} has TXT "${found}", expected "${publication.value}".`,
        };
  },
};

/** The customer publishes exactly what a validation's instructions ask for. */
function publish(validation: { instructions: { host: string; value: string } }): void {
  zone.set(validation.instructions.host, validation.instructions.value);
}

let host: LocalHost;
let customer: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: join(mkdtempSync(join(tmpdir(), "certflow-e2e-reval-")), "data"),
    CERTFLOW_API_TOKENS: `${TOKENS.customer}:tenant-r:customer,${TOKENS.operator}:ops:operator`,
    CERTFLOW_CHECK_EARLY_SECONDS: "5",
    CERTFLOW_CHECK_LATE_SECONDS: "5",
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_RENEWAL_INTERVAL_SECONDS: "0",
  });
  host = await startLocalHost(settings, {
    fresh: true,
    clock,
    dcv: customerDns,
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

interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

async function mails(): Promise<Mail[]> {
  const store = (await fetch(`${host.emulators.ses.endpoint}/store`).then((r) => r.json())) as {
    emails: any[];
  };
  return store.emails.map((mail) => ({
    to: JSON.stringify(mail.destination),
    subject: String(mail.subject),
    text: String(mail.body?.text ?? ""),
  }));
}

async function mailWith(subject: string, timeoutMs = 10_000): Promise<Mail[]> {
  const started = Date.now();
  for (;;) {
    const found = (await mails()).filter((mail) => mail.subject === subject);
    if (found.length > 0 || Date.now() - started > timeoutMs) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function serialServed(orderId: string): Promise<string> {
  const pem = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem`);
  expect(pem.status).toBe(200);
  return openssl(["x509", "-noout", "-serial"], pem.bytes)
    .trim()
    .replace(/^serial=/, "")
    .toLowerCase();
}

/** Publishes what `orderId` asks for and presses "verify now": it wakes the waiting order. */
async function publishAndVerify(orderId: string, validations: any[]) {
  for (const validation of validations) publish(validation);
  const checked = await customer.request("POST", `/v1/orders/${orderId}/checks`);
  expect(checked.status, JSON.stringify(checked.json)).toBe(200);
  expect(checked.json).toMatchObject({ allPublished: true, resumed: true });
  return checked.json;
}

/** The order as soon as the service's first look at what it asks for is done. */
function afterFirstLook(orderId: string) {
  return customer.waitForOrder(
    orderId,
    (o) =>
      o.status === "PENDING_VALIDATION" &&
      o.validations.length > 0 &&
      o.validations.every((v: any) => v.lastCheck !== undefined),
    30_000,
  );
}

/** An order the customer validates by publishing the record its instructions name. */
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
  const waiting = await afterFirstLook(submitted.json.id);
  await publishAndVerify(submitted.json.id, waiting.validations);
  return customer.waitForOrder(submitted.json.id, (o) => o.status === "ISSUED", 30_000);
}

/** Moves the clock to the order's renewal time and runs the renewal run there. */
async function renewalRunAtRenewalTime(order: any) {
  clock.set(new Date(Date.parse(order.renewal.nextAt) + 60_000));
  const run = await operator.request("POST", "/v1/renewal-runs");
  expect(run.status).toBe(202);
  expect(run.json.started).toBe(1);
  return customer.waitForOrder(
    order.id,
    (o) =>
      o.renewal?.status?.status === "PENDING_VALIDATION" &&
      o.renewal.status.validations.every((v: any) => v.lastCheck !== undefined),
    30_000,
  );
}

describe("a renewal whose domain validation is no longer reusable", () => {
  it("mails the instructions, keeps the certificate serving, and renews once the customer publishes", async () => {
    // Prepare: issued on 2029-04-01 (47 days; the proof reusable for 10).
    const domain = "reval.certflow.test";
    const order = await issuedOrder(domain);
    const firstSerial = order.certificate.serialNumber;
    const firstRecord = order.validations[0].instructions;

    // Act: the renewal run at the renewal time (31 days on, the proof lapsed 21 days ago).
    const renewing = await renewalRunAtRenewalTime(order);

    // Assess: the renewal waits for the customer; the order and its certificate serve on.
    const renewal = renewing.renewal.status;
    expect(renewing.status).toBe("ISSUED");
    expect(renewal.validations).toHaveLength(1);
    expect(renewal.validations[0]).toMatchObject({
      domain,
      method: "dns-txt",
      status: "pending",
      lastCheck: { ok: false, cause: "WRONG_VALUE" },
    });
    const record = renewal.validations[0].instructions;
    expect(record).toMatchObject({ method: "dns-txt", recordType: "TXT", host: firstRecord.host });
    expect(record.value).not.toBe(firstRecord.value);
    expect(Date.parse(renewal.validationDeadline)).toBeGreaterThan(clock.now().getTime());
    expect(renewing.certificate.serialNumber).toBe(firstSerial);
    expect(await serialServed(order.id)).toBe(firstSerial);
    const [instructions] = (
      await mailWith(`Action needed: publish the validation for ${domain}`)
    ).filter((mail) => mail.text.includes(renewal.orderId));
    expect(instructions, "the renewal's instructions mail").toBeDefined();
    expect(instructions?.text).toContain(record.host);
    expect(instructions?.text).toContain(record.value);
    expect(instructions?.text).toContain(`/v1/orders/${renewal.orderId}/checks`);
    expect(instructions?.text).toContain(`It renews order ${order.id}`);
    expect(instructions?.text).toContain("The certificate you have keeps working meanwhile");

    // Act: "verify now" on the renewal before publishing, then after publishing the new record.
    const early = await customer.request("POST", `/v1/orders/${renewal.orderId}/checks`);
    const checked = await publishAndVerify(renewal.orderId, renewal.validations);
    const renewed = await customer.waitForOrder(
      order.id,
      (o) => (o.certificates ?? []).length === 2,
      30_000,
    );

    // Assess: the renewed certificate is the order's current one.
    expect(early.status, JSON.stringify(early.json)).toBe(200);
    expect(early.json).toMatchObject({
      allPublished: false,
      resumed: false,
      results: [{ domain, ok: false, cause: "WRONG_VALUE" }],
    });
    expect(checked.results).toMatchObject([{ domain, ok: true }]);
    expect(renewed.status).toBe("ISSUED");
    expect(renewed.certificate.serialNumber).not.toBe(firstSerial);
    expect(renewed.certificates[0]).toMatchObject({
      serialNumber: renewed.certificate.serialNumber,
      replaces: firstSerial,
    });
    expect(renewed.renewal.status).toBeUndefined();
    expect(renewed.renewal.lastFailure).toBeUndefined();
    expect(await serialServed(order.id)).toBe(renewed.certificate.serialNumber);
    const [renewedMail] = await mailWith(`Certificate renewed for ${domain}`);
    expect(renewedMail?.text).toContain(renewed.certificate.serialNumber);
  });

  it("fails the renewal at its validation deadline when the customer never publishes, and the certificate serves on", async () => {
    // Prepare: 30 days, so this order is due before the one renewed above comes due again.
    const domain = "reval-lapse.certflow.test";
    const order = await issuedOrder(domain, { validityDays: 30 });
    const firstSerial = order.certificate.serialNumber;
    const renewing = await renewalRunAtRenewalTime(order);
    const renewal = renewing.renewal.status;

    // Act: the deadline passes with nothing new published.
    clock.set(new Date(Date.parse(renewal.validationDeadline) + 1_000));
    const failed = await customer.waitForOrder(
      order.id,
      (o) => o.renewal?.lastFailure !== undefined,
      30_000,
    );

    // Assess
    expect(failed.status).toBe("ISSUED");
    expect(failed.certificate.serialNumber).toBe(firstSerial);
    expect(failed.certificates).toHaveLength(1);
    expect(failed.renewal.status).toBeUndefined();
    expect(failed.renewal.lastFailure.code).toBe("VALIDATION_TIMED_OUT");
    expect(failed.renewal.lastFailure.message).toContain(domain);
    expect(failed.renewal.lastFailure.message).toContain("WRONG_VALUE");
    expect(Date.parse(failed.renewal.nextAt)).toBeGreaterThan(clock.now().getTime());
    expect(Date.parse(failed.renewal.nextAt)).toBeLessThan(Date.parse(failed.certificate.notAfter));
    expect(await serialServed(order.id)).toBe(firstSerial);
    const [failure] = await mailWith(`Renewal failed: ${domain}`);
    expect(failure, "the renewal failure mail").toBeDefined();
    expect(failure?.text).toContain("VALIDATION_TIMED_OUT");
    expect(failure?.text).toContain(domain);
    expect(failure?.text).toContain("The current certificate keeps serving until it ends.");
    expect(failure?.text).toContain("The next try asks for the names to be proven again");
    expect(failure?.text).toContain(`/v1/orders/${order.id}/renewals`);
  });
});
