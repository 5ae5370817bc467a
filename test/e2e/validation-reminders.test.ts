import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;

/** A validation time of 24 s: reminders at 12 s and 21.6 s, a check every second. */
beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "reminder-token:tenant-a:customer",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_VALIDATION_TIMEOUT_SECONDS: "24",
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  customer = new ApiClient(service.url, "reminder-token");
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
  expect(answer.status).toBe(202);
  const waiting = await customer.waitForOrder(
    answer.json.id,
    (order) => order.status === "PENDING_VALIDATION",
  );
  return {
    id: answer.json.id as string,
    instructions: waiting.validations[0].instructions as { host: string; value: string },
  };
}

async function mails(): Promise<{ subject: string; text: string }[]> {
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
  return store.emails.map((mail) => ({
    subject: String(mail.subject),
    text: String(mail.body.text),
  }));
}

it("mails a reminder at half and at 90 % of the validation time with the latest check, and none to a customer who published before", async () => {
  // Prepare: one customer publishes a stale value and never the right one; the other publishes
  // the right record at once.
  const [stale, prompt] = await Promise.all([
    submit("stale.reminders.certflow.test"),
    submit("prompt.reminders.certflow.test"),
  ]);
  dns.setTxt(stale.instructions.host, ["stale-value"]);
  dns.setTxt(prompt.instructions.host, [prompt.instructions.value]);

  // Act
  const [failed, issued] = await Promise.all([
    customer.waitForOrder(stale.id, (order) => order.status === "FAILED", 60_000),
    customer.waitForOrder(prompt.id, (order) => order.status === "ISSUED", 60_000),
  ]);

  // Assess
  expect(failed.failure.code).toBe("VALIDATION_TIMED_OUT");
  expect(issued.status).toBe("ISSUED");
  const all = await mails();
  const reminders = all.filter((mail) =>
    mail.subject.startsWith("Reminder: publish the records for stale.reminders.certflow.test"),
  );
  expect(reminders.map((mail) => mail.subject)).toEqual([
    expect.stringMatching(/ \(1[0-2] s left\)$/),
    expect.stringMatching(/ \([0-2] s left\)$/),
  ]);
  const [half, ninety] = reminders;
  expect(half?.text).toContain("Half of the validation time for order");
  expect(ninety?.text).toContain("90 % of the validation time for order");
  for (const mail of reminders) {
    expect(mail.text).toContain("stale.reminders.certflow.test (checked 20");
    expect(mail.text).toContain(
      "Something is published, but not the value asked for (WRONG_VALUE).",
    );
    expect(mail.text).toContain(`Value: ${stale.instructions.value}`);
    expect(mail.text).toContain(`/v1/orders/${stale.id}/checks`);
  }
  // Published before half the time: instructions, then the certificate, and no reminder.
  const toPrompt = all.filter((mail) => mail.subject.includes("prompt.reminders.certflow.test"));
  expect(toPrompt.map((mail) => mail.subject)).toContain(
    "Action needed: publish the validation for prompt.reminders.certflow.test",
  );
  expect(toPrompt.filter((mail) => mail.subject.startsWith("Reminder"))).toEqual([]);
  const history = await customer.request("GET", `/v1/orders/${stale.id}/history`);
  const notes = (history.json.events as { message: string }[])
    .map((event) => event.message)
    .filter((message) => message.startsWith("Reminder sent"));
  expect(notes).toEqual([
    expect.stringMatching(/^Reminder sent: half of the validation time has passed/),
    expect.stringMatching(/^Reminder sent: 90 % of the validation time has passed/),
  ]);
});
