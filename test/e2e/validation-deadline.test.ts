import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "deadline-token:tenant-a:customer,operator-token:ops:operator",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "4",
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
});

afterAll(async () => {
  await service?.stop();
  await dns?.close();
});

it("fails the order as VALIDATION_TIMED_OUT at the deadline, mails it, and ends the execution", async () => {
  const customer = new ApiClient(service.url, "deadline-token");
  const operator = new ApiClient(service.url, "operator-token");
  const submitted = await customer.request("POST", "/v1/orders", {
    body: {
      domains: ["never.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status).toBe(202);
  const failed = await customer.waitForOrder(
    submitted.json.id,
    (o) => o.status === "FAILED",
    30_000,
  );
  expect(failed.failure.code).toBe("VALIDATION_TIMED_OUT");
  expect(failed.failure.message).toContain("never.certflow.test");

  const execution = await operator.waitForExecutionEnd(failed.execution.name);
  expect(execution.status).toBe("FAILED");

  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  expect(mailUrl).toBeDefined();
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
  const subjects = store.emails.map((mail) => String(mail.subject));
  expect(subjects.some((subject) => subject.startsWith("Order failed"))).toBe(true);
  expect(subjects.some((subject) => subject.startsWith("Action needed"))).toBe(true);
});
