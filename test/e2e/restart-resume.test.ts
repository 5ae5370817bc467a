import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const TOKENS = "resume-token:tenant-a:customer,operator-token:ops:operator";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
const running: RunningService[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "certflow-e2e-resume-"));

/** The service on the one data directory, as `npm start` runs it again after a stop. */
async function start(): Promise<RunningService> {
  const service = await startLocalService(
    {
      CERTFLOW_API_TOKENS: TOKENS,
      CERTFLOW_DNS_RESOLVER: dns.address,
      CERTFLOW_CHECK_EARLY_SECONDS: "1",
      CERTFLOW_CHECK_LATE_SECONDS: "2",
    },
    dataDir,
  );
  running.push(service);
  return service;
}

/** Subjects of the mails this run of the service captured. */
async function mailSubjects(service: RunningService): Promise<string[]> {
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  if (mailUrl === undefined) throw new Error(`no mail capture in:\n${service.output()}`);
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as {
    emails: { subject: unknown }[];
  };
  return store.emails.map((mail) => String(mail.subject));
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
});

afterAll(async () => {
  for (const service of running) await service.stop();
  await dns?.close();
});

it("resumes an order stopped by SIGTERM in its wait for the customer, and issues it once", async () => {
  // Prepare: an order waiting for its record, checked at least once; then SIGTERM.
  const first = await start();
  const submitted = await new ApiClient(first.url, "resume-token").request("POST", "/v1/orders", {
    body: {
      domains: ["resume.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status).toBe(202);
  const orderId = String(submitted.json.id);
  const waiting = await new ApiClient(first.url, "resume-token").waitForOrder(
    orderId,
    (order) => order.validations?.[0]?.lastCheck !== undefined,
  );
  const mailsBefore = await mailSubjects(first);
  await first.stop();

  // Act: start again, and the customer publishes.
  const second = await start();
  const customer = new ApiClient(second.url, "resume-token");
  const { host, value } = waiting.validations[0].instructions;
  dns.setTxt(host, [value]);
  const issued = await customer.waitForOrder(orderId, (order) => order.status === "ISSUED");
  await new ApiClient(second.url, "operator-token").waitForExecutionEnd(issued.execution.name);

  // Assess
  expect(issued.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);
  expect(issued.execution.name).toBe(`${orderId}-2`);
  const history = (await customer.request("GET", `/v1/orders/${orderId}/history`)).json;
  const events = history.events as { type: string; status?: string; message: string }[];
  expect(events.filter((event) => event.status === "ISSUED")).toHaveLength(1);
  const checks = events.filter((event) => event.type === "check").map((event) => event.message);
  expect(checks.map((message) => /^Check (\d+):/.exec(message)?.[1])).toEqual(
    checks.map((_, index) => String(index + 1)),
  );
  const mails = [...mailsBefore, ...(await mailSubjects(second))];
  expect(mails.filter((subject) => subject.startsWith("Action needed"))).toHaveLength(1);
  expect(mails.filter((subject) => subject.startsWith("Certificate issued"))).toHaveLength(1);
});
