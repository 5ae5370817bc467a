import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { launchBrowser, screenshot, seriousViolations } from "./support/browser.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
let browser: Browser;

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "page-token:tenant-a:customer",
    CERTFLOW_DNS_RESOLVER: dns.address,
  });
  customer = new ApiClient(service.url, "page-token");
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await dns?.close();
});

/** Orders `domain` approved by `approver`, and the link mailed to them (on this service's port). */
async function linkFor(
  domain: string,
  approver: string,
): Promise<{ orderId: string; url: string }> {
  const submitted = await customer.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      validation: { method: "email", approverEmail: approver },
      contact: { name: "Ada <b>Lovelace</b>", email: "ada@certflow.test" },
    },
  });
  expect(submitted.status).toBe(202);
  const mailUrl = /Mail captured by the local SES: (http:\/\/127\.0\.0\.1:\d+)/.exec(
    service.output(),
  )?.[1];
  for (let attempt = 0; attempt < 100; attempt++) {
    const store = (await fetch(`${mailUrl}/store`).then((r) => r.json())) as { emails: any[] };
    const mail = store.emails.find((m) => m.destination.to.includes(approver));
    const secret = /\/v1\/approvals\/([A-Za-z0-9_-]{43})/.exec(String(mail?.body.text))?.[1];
    if (secret !== undefined) {
      return { orderId: String(submitted.json.id), url: `${service.url}/v1/approvals/${secret}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no approval mail to ${approver}`);
}

it("lets the approver approve with the keyboard alone, and the order issues", async () => {
  // Prepare
  const { orderId, url } = await linkFor("page.certflow.test", "admin@page.certflow.test");
  const page = await browser.newPage();
  await page.goto(url);
  const violations = await seriousViolations(page);
  await screenshot(page, "approval-page");

  // Act: from the reason field, Tab reaches Approve; Enter presses it.
  await page.getByLabel("Reason (optional, shown to the requester if you decline)").focus();
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: "Approved" }).waitFor();
  await screenshot(page, "approval-page-approved");
  const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED", 30_000);

  // Assess
  expect(violations).toEqual([]);
  expect(await page.textContent("body")).toContain("Ada <b>Lovelace</b> (ada@certflow.test)");
  expect(focused).toBe("Approve");
  expect(issued.validations[0].lastCheck.detail).toBe("Approved by admin@page.certflow.test.");
  await page.close();
});

it("takes a decline with its reason, and shows a used link's page without a form", async () => {
  const { orderId, url } = await linkFor("decline-page.certflow.test", "hostmaster@certflow.test");
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByLabel(/Reason/).fill("Not ordered by us.");
  await page.getByRole("button", { name: "Decline" }).click();
  await page.getByRole("status").filter({ hasText: "Declined" }).waitFor();
  const failed = await customer.waitForOrder(orderId, (o) => o.status === "FAILED", 30_000);

  await page.goto(url);
  const usedViolations = await seriousViolations(page);
  await screenshot(page, "approval-page-used");

  expect(failed.failure.message).toContain("Not ordered by us");
  expect(await page.textContent("h1")).toBe("Already declined");
  expect(await page.locator("form").count()).toBe(0);
  expect(usedViolations).toEqual([]);
  await page.close();
});
