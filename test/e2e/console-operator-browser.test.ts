import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { launchBrowser, screenshot, seriousViolations } from "./support/browser.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const CUSTOMER_TOKEN = "console-ov-customer";
const OPERATOR_TOKEN = "console-operator";
const LETTER = fileURLToPath(new URL("../../examples/confirmation-letter.png", import.meta.url));
const ORGANIZATION = { name: "Example GmbH", locality: "Berlin", state: "Berlin", country: "DE" };

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
let operator: ApiClient;
let browser: Browser;
const work = mkdtempSync(join(tmpdir(), "certflow-console-operator-"));

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: `${CUSTOMER_TOKEN}:tenant-ov:customer,${OPERATOR_TOKEN}:ops:operator`,
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
  });
  customer = new ApiClient(service.url, CUSTOMER_TOKEN);
  operator = new ApiClient(service.url, OPERATOR_TOKEN);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await dns?.close();
});

async function signIn(
  token: string,
  home: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(service.url);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: home, level: 1 }).waitFor();
  return { context, page };
}

/** A customer's order through the API, waiting for its instructions. */
async function submit(domain: string, extra: object = {}): Promise<any> {
  const answer = await customer.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test", phone: "+49 30 1234567" },
      ...extra,
    },
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  return customer.waitForOrder(answer.json.id, (o) => o.status === "PENDING_VALIDATION");
}

describe("the web console, for an operator", () => {
  it("takes an OV order's letter from the customer and lets the operator approve it in the queue", async () => {
    // Prepare: an OV order whose names are published.
    const order = await submit("ov-console.certflow.test", {
      product: "OV",
      organization: ORGANIZATION,
    });
    for (const validation of order.validations) {
      dns.setTxt(validation.instructions.host, [validation.instructions.value]);
    }
    await customer.request("POST", `/v1/orders/${order.id}/checks`);

    // Act: the customer uploads the letter on the order page; a PDF is refused before sending.
    const asCustomer = await signIn(CUSTOMER_TOKEN, "Orders");
    await asCustomer.page.goto(`${service.url}/#/orders/${order.id}`);
    await asCustomer.page.getByRole("heading", { name: "Organization review" }).waitFor();
    const notAnImage = join(work, "letter.pdf");
    writeFileSync(notAnImage, "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n");
    await asCustomer.page.getByLabel("Signed confirmation letter").setInputFiles(notAnImage);
    await asCustomer.page.getByRole("button", { name: "Upload the letter" }).click();
    await asCustomer.page.getByText("DOCUMENT_TYPE_UNSUPPORTED").waitFor();
    const refusedBeforeSending = (await customer.request("GET", `/v1/orders/${order.id}`)).json
      .documents;
    await asCustomer.page.getByLabel("Signed confirmation letter").setInputFiles(LETTER);
    await asCustomer.page.getByRole("button", { name: "Upload the letter" }).click();
    await asCustomer.page.getByText("confirmation-letter.png uploaded (413×584 pixels).").waitFor();
    await asCustomer.page.getByRole("img", { name: /Letter 1 of 1 for Example GmbH/ }).waitFor();
    const uploadViolations = await seriousViolations(asCustomer.page);
    await screenshot(asCustomer.page, "console-ov-letter-uploaded");
    await asCustomer.context.close();
    await customer.waitForOrder(order.id, (o) => o.status === "PENDING_REVIEW", 30_000);

    // The operator's queue: the letter shown, a rejection without reason refused, then approval.
    const { context, page } = await signIn(OPERATOR_TOKEN, "Review queue");
    const card = page.getByRole("article", { name: /Example GmbH/ });
    await card.waitFor();
    const letter = card.getByRole("img", { name: /Letter 1 of 1 for Example GmbH/ });
    await letter.waitFor();
    const letterWidth = await letter.evaluate((image) => (image as HTMLImageElement).naturalWidth);
    const queueViolations = await seriousViolations(page);
    await screenshot(page, "console-review-queue");
    await card.getByRole("button", { name: "Reject" }).click();
    await card.getByText("REASON_REQUIRED").waitFor();
    const focusedAfterRefusal = await page.evaluate(() => document.activeElement?.tagName);
    await card.getByRole("button", { name: "Approve" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `${order.id} approved.` })
      .waitFor();
    const decidedViolations = await seriousViolations(page);
    await screenshot(page, "console-review-approved");
    await context.close();
    const issued = await customer.waitForOrder(order.id, (o) => o.status === "ISSUED", 30_000);

    // Assess
    expect(refusedBeforeSending ?? []).toEqual([]);
    expect(letterWidth).toBe(413);
    expect(focusedAfterRefusal).toBe("TEXTAREA");
    expect(issued.review.status).toBe("approved");
    expect(uploadViolations).toEqual([]);
    expect(queueViolations).toEqual([]);
    expect(decidedViolations).toEqual([]);
  });

  it("draws the execution with the order's current state marked, beside its history", async () => {
    // Prepare: an order nobody publishes for, parked in its wait, and one that issued.
    const waiting = await submit("execution-console.certflow.test");
    const done = await submit("done-console.certflow.test");
    for (const validation of done.validations) {
      dns.setTxt(validation.instructions.host, [validation.instructions.value]);
    }
    await customer.request("POST", `/v1/orders/${done.id}/checks`);
    await customer.waitForOrder(done.id, (o) => o.status === "ISSUED", 30_000);
    await operator.waitForExecutionEnd(done.execution.name);
    const executionName = waiting.execution.name;
    const execution = (await operator.request("GET", `/v1/executions/${executionName}`)).json;
    const lastEntered = execution.events
      .filter((event: any) => event.type === "StateEntered")
      .at(-1);

    // Act: the operator finds the order by id and opens its execution.
    const { context, page } = await signIn(OPERATOR_TOKEN, "Review queue");
    await page.getByRole("link", { name: "Find an order" }).click();
    await page.getByLabel("Order id").fill(waiting.id);
    await page.keyboard.press("Enter");
    await page
      .getByRole("heading", { level: 1, name: /execution-console\.certflow\.test/ })
      .waitFor();
    await page.getByRole("link", { name: executionName }).click();
    const current = page.locator('svg g[data-current="true"]');
    await current.waitFor();
    const currentState = await current.getAttribute("data-state");
    const shownState = await page.locator("#current-state").innerText();
    const eventsListed = await page.locator(".execution-events li").count();
    const waitingViolations = await seriousViolations(page);
    await screenshot(page, "console-execution-waiting");

    // The issued order's execution has ended where an issued order's ends.
    await page.goto(`${service.url}/#/orders/${done.id}/execution`);
    await page.locator('svg g[data-current="true"][data-state="CertificateIssued"]').waitFor();
    const endedViolations = await seriousViolations(page);
    await screenshot(page, "console-execution-issued");
    await context.close();

    // Assess
    expect(lastEntered.stateName).toBe("WaitForCustomerToPublish");
    expect(currentState).toBe("WaitForCustomerToPublish");
    expect(shownState).toBe("WaitForCustomerToPublish");
    expect(eventsListed).toBeGreaterThanOrEqual(execution.events.length);
    expect(waitingViolations).toEqual([]);
    expect(endedViolations).toEqual([]);
  });
});
