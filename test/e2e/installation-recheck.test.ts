import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { freeLoopbackPort } from "../support/loopback-port.ts";
import { ApiClient } from "./support/api-client.ts";
import { downloadNginxBundle } from "./support/nginx-bundle.ts";
import { startNginx } from "./support/nginx-server.ts";

// "Renewed, but the old certificate is still served": the local host in this process on a clock
// the test moves (renewal time, then the end of the grace period come without waiting), every
// record counting as published, and a real nginx on loopback serving what the customer
// installed. The installation check finds the name through the customer's DNS server.

const SITE = "recheck.certflow.test";
const GRACE_SECONDS = 3 * 86_400;
const TOKENS = { customer: "recheck-customer", operator: "recheck-operator" };
const clock = fixedClock(new Date());
const published: DcvChecker = { check: async () => ({ ok: true }) };
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-recheck-"));

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let host: LocalHost;
let customer: ApiClient;
let operator: ApiClient;
let httpsPort: number;
let receiver: Server;
let receiverUrl: string;
/** Bodies of the webhook deliveries the customer's receiver got. */
const delivered: any[] = [];

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  dns.setA(SITE, "127.0.0.1");
  httpsPort = await freeLoopbackPort();
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      delivered.push(JSON.parse(body));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: join(work, "data"),
    CERTFLOW_API_TOKENS: `${TOKENS.customer}:tenant-a:customer,${TOKENS.operator}:ops:operator`,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_INSTALLATION_CHECK_PORT: String(httpsPort),
    CERTFLOW_INSTALLATION_GRACE_SECONDS: String(GRACE_SECONDS),
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
  await dns?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function mails(): Promise<{ subject: string; text: string }[]> {
  const store = (await fetch(`${host.emulators.ses.endpoint}/store`).then((r) => r.json())) as {
    emails: any[];
  };
  return store.emails.map((mail) => ({
    subject: String(mail.subject),
    text: String(mail.body?.text ?? ""),
  }));
}

const STALE_SUBJECT = `Renewed, but ${SITE} still serves the old certificate`;

async function history(orderId: string): Promise<{ type: string; message: string }[]> {
  const answer = await customer.request("GET", `/v1/orders/${orderId}/history`);
  return (answer.json.events ?? answer.json) as { type: string; message: string }[];
}

async function until<T>(what: string, value: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const started = Date.now();
  for (;;) {
    const found = await value();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not come in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("a renewed certificate the server does not serve yet", () => {
  it("is rechecked after the grace period by the renewal run, mailed about once, and found installed later", async () => {
    // Prepare: a webhook for stale installations, and an order that asks for the check.
    const hook = await customer.request("POST", "/v1/webhooks", {
      body: { url: receiverUrl, events: ["order.installation_stale"] },
    });
    expect(hook.status, JSON.stringify(hook.json)).toBe(201);
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: [SITE],
        validation: { method: "dns-txt" },
        contact: { name: "Ada", email: "ada@certflow.test" },
        installationCheck: true,
      },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    const id = submitted.json.id as string;
    const issued = await customer.waitForOrder(
      id,
      (o) => o.status === "ISSUED" && o.installation !== undefined,
      30_000,
    );
    const oldSerial = issued.certificate.serialNumber as string;
    const oldBundle = await downloadNginxBundle(customer, id, join(work, "old"));
    const serve = (bundle: typeof oldBundle, name: string) =>
      startNginx({
        directory: join(work, name),
        serverName: SITE,
        certificateFile: bundle.fullchainFile,
        keyFile: bundle.keyFile,
        port: httpsPort,
      });
    let nginx = await serve(oldBundle, "nginx-old");
    try {
      // Act 1: the certificate renews; nginx keeps serving the old bundle.
      clock.set(new Date(Date.parse(issued.renewal.nextAt) + 60_000));
      const renewing = await operator.request("POST", "/v1/renewal-runs");
      expect(renewing.status).toBe(202);
      expect(renewing.json.started).toBe(1);
      const renewed = await customer.waitForOrder(
        id,
        (o) => (o.certificates ?? []).length === 2 && o.installation?.trigger === "renewal",
        30_000,
      );
      const newSerial = renewed.certificate.serialNumber as string;

      // Assess 1: the check after the renewal, recorded on the order the customer follows.
      expect(newSerial).not.toBe(oldSerial);
      expect(renewed.installation).toMatchObject({
        trigger: "renewal",
        certificateSerial: newSerial,
        results: [{ domain: SITE, finding: "OLD_CERTIFICATE", servedSerial: oldSerial }],
      });
      const recheckAt = new Date(Date.parse(renewed.installation.checkedAt) + GRACE_SECONDS * 1000);
      expect((await history(id)).map((event) => event.message)).toContain(
        `Installation check after renewal: ${SITE} OLD_CERTIFICATE. The service looks again at ${recheckAt.toISOString()} and mails you if an old certificate is still served then.`,
      );

      // Act 2: a run within the grace period leaves it; the first run after it looks again.
      clock.set(new Date(recheckAt.getTime() - 60_000));
      const early = await operator.request("POST", "/v1/renewal-runs");
      clock.set(new Date(recheckAt.getTime() + 60_000));
      const late = await operator.request("POST", "/v1/renewal-runs");

      // Assess 2: the customer is told, once, with both serials and what to do.
      expect(early.json.installationRechecks).toBe(0);
      expect(late.json.installationRechecks).toBe(1);
      const stale = (await mails()).filter((mail) => mail.subject === STALE_SUBJECT);
      expect(stale).toHaveLength(1);
      expect(stale[0]?.text).toContain(
        `${SITE}: serves serial ${oldSerial}, which ends at ${issued.certificate.notAfter}; it should serve ${newSerial}.`,
      );
      expect(stale[0]?.text).toContain(`/v1/orders/${id}/certificate?format=nginx`);
      const events = await history(id);
      expect(events.filter((event) => event.type === "installation_stale")).toHaveLength(1);
      const checked = await customer.request("GET", `/v1/orders/${id}`);
      expect(checked.json.installation).toMatchObject({
        trigger: "recheck",
        results: [{ finding: "OLD_CERTIFICATE", servedSerial: oldSerial }],
      });
      const webhook = await until("the order.installation_stale delivery", async () =>
        delivered.find((body) => body.type === "order.installation_stale"),
      );
      expect(webhook.data).toMatchObject({
        orderId: id,
        installation: {
          certificateSerial: newSerial,
          stale: [{ domain: SITE, servedSerial: oldSerial }],
        },
      });
    } finally {
      await nginx.stop();
    }

    // Act 3: the customer installs the new bundle; a later run mails nothing more.
    const newBundle = await downloadNginxBundle(customer, id, join(work, "new"));
    nginx = await serve(newBundle, "nginx-new");
    try {
      clock.advance(86_400);
      const later = await operator.request("POST", "/v1/renewal-runs");
      const installed = await customer.request("POST", `/v1/orders/${id}/installation-check`);

      // Assess 3
      expect(later.json.installationRechecks).toBe(0);
      expect(installed.json).toMatchObject({
        allOk: true,
        results: [{ domain: SITE, finding: "OK" }],
      });
      expect((await mails()).filter((mail) => mail.subject === STALE_SUBJECT)).toHaveLength(1);
      expect(delivered.filter((body) => body.type === "order.installation_stale")).toHaveLength(1);
    } finally {
      await nginx.stop();
    }
  });
});
