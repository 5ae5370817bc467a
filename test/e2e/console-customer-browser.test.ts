import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { launchBrowser, screenshot, seriousViolations } from "./support/browser.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { openssl, publicKeyOfCertificate, publicKeyOfPrivateKey } from "./support/openssl.ts";

const TOKEN = "console-customer-token";
const PFX_PASSWORD = "Console-pfx-42";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let service: RunningService;
let customer: ApiClient;
let browser: Browser;
const work = mkdtempSync(join(tmpdir(), "certflow-console-"));

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: `${TOKEN}:tenant-console:customer`,
    CERTFLOW_DNS_RESOLVER: dns.address,
    // The customer presses "Verify now"; the service's own next check would be 15 minutes away.
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
  });
  customer = new ApiClient(service.url, TOKEN);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await dns?.close();
});

/** A signed-in tab: the token typed into the sign-in form with the keyboard alone. */
async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: service.url });
  const page = await context.newPage();
  await page.goto(service.url);
  await page.getByRole("heading", { name: "Sign in to certflow" }).waitFor();
  // The heading has focus; Tab reaches the token field, Enter signs in.
  await page.keyboard.press("Tab");
  await page.keyboard.type(TOKEN);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
  return { context, page };
}

describe("the web console, for a customer", () => {
  it("signs in with the token, orders two names by dns-txt, verifies, sees ISSUED live and downloads", async () => {
    // Prepare: the sign-in page, checked before anything is typed.
    const first = await browser.newPage();
    await first.goto(service.url);
    await first.getByLabel("API token").waitFor();
    const signInViolations = await seriousViolations(first);
    await screenshot(first, "console-sign-in");
    await first.close();
    const { context, page } = await signedIn();
    const tokenInUrl = page.url().includes(TOKEN);
    const stored = await page.evaluate(() => sessionStorage.getItem("certflow.token"));

    // Act: the new order, filled in as a customer does.
    await page.getByRole("link", { name: "New order" }).first().click();
    await page.getByRole("heading", { name: "New order" }).waitFor();
    await page
      .getByLabel("Names to protect, one per line")
      .fill("console.certflow.test\nwww.console.certflow.test");
    await page.getByText("2 names, as the certificate will hold them").waitFor();
    await page.getByLabel("Contact name").fill("Ada Lovelace");
    await page.getByLabel("Contact email").fill("ada@certflow.test");
    const newOrderViolations = await seriousViolations(page);
    await screenshot(page, "console-new-order");
    await page.getByRole("button", { name: "Place the order" }).click();
    await page.getByRole("heading", { name: "Publish these to prove control" }).waitFor();
    const orderId = /#\/orders\/(ord_[A-Za-z0-9]+)$/.exec(page.url())?.[1] ?? "";
    // Verify now before anything is published: each name's cause, in words, in the answer and
    // (the page looks again at once) as each name's last check.
    await page.getByRole("button", { name: "Verify now" }).click();
    const results = page.locator(".check-results");
    await results.getByRole("heading", { name: "Not everything is published yet" }).waitFor();
    const causes = await results.locator("li").allInnerTexts();
    await expect
      .poll(() =>
        page.locator(".last-check").getByText("The name does not exist in DNS yet.").count(),
      )
      .toBe(2);
    const waitingViolations = await seriousViolations(page);
    await screenshot(page, "console-order-waiting");

    // The customer copies each record from the page and publishes it.
    const records: { host: string; value: string }[] = [];
    const copied = async (what: string) => {
      const button = page.getByRole("button", { name: `Copy ${what}` });
      await button.click();
      // The button says so once the clipboard holds the value.
      await button.filter({ hasText: "Copied" }).waitFor();
      return page.evaluate(() => navigator.clipboard.readText());
    };
    for (const name of ["console.certflow.test", "www.console.certflow.test"]) {
      const host = await copied(`Record name for ${name}`);
      const value = await copied(`Record value for ${name}`);
      records.push({ host, value });
      dns.setTxt(host, [value]);
    }
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    await page.getByRole("button", { name: "Verify now" }).click();
    await page
      .locator('#order-status .badge[data-status="ISSUED"]')
      .filter({ hasText: "Issued" })
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        await screenshot(page, "console-order-issued-failed");
        throw error;
      });
    const stayed = await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed);
    const timeline = await page.getByRole("list", { name: "Status timeline" }).innerText();
    const issuedViolations = await seriousViolations(page);
    await screenshot(page, "console-order-issued");

    // The nginx bundle and the IIS .pfx, downloaded as a customer does.
    const nginxDownload = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download for Nginx" }).click();
    const nginx = await nginxDownload;
    const nginxPath = join(work, nginx.suggestedFilename());
    await nginx.saveAs(nginxPath);
    const files = unzipSync(readFileSync(nginxPath));
    const fullchainName = Object.keys(files).find((name) => name.endsWith(".fullchain.pem")) ?? "";
    const keyName = Object.keys(files).find((name) => name.endsWith(".key")) ?? "";
    writeFileSync(join(work, "fullchain.pem"), files[fullchainName] ?? new Uint8Array());
    writeFileSync(join(work, "server.key"), files[keyName] ?? new Uint8Array(), { mode: 0o600 });
    const certificateText = openssl([
      "x509",
      "-in",
      join(work, "fullchain.pem"),
      "-noout",
      "-ext",
      "subjectAltName",
    ]);

    await page.getByRole("button", { name: "Download for IIS (.pfx)" }).click();
    const passwordAsked = await page.getByText("PASSWORD_REQUIRED").isVisible();
    await page.getByLabel("Password for the .pfx files (IIS, Tomcat)").fill(PFX_PASSWORD);
    const pfxDownload = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download for IIS (.pfx)" }).click();
    const pfx = await pfxDownload;
    const pfxPath = join(work, pfx.suggestedFilename());
    await pfx.saveAs(pfxPath);
    const pfxCertificates = openssl([
      "pkcs12",
      "-in",
      pfxPath,
      "-passin",
      `pass:${PFX_PASSWORD}`,
      "-nokeys",
    ]);

    // The order in the list, found by one of its names.
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Orders" })
      .click();
    await page.getByLabel("Name", { exact: true }).fill("WWW.Console.certflow.test");
    await page.getByRole("button", { name: "Show orders" }).click();
    await page.getByText("Orders with WWW.Console.certflow.test, newest first").waitFor();
    const listed = await page.locator("table.orders tbody tr").count();
    const listViolations = await seriousViolations(page);
    await screenshot(page, "console-order-list");
    await context.close();

    // Assess
    expect(tokenInUrl).toBe(false);
    expect(stored).toBe(TOKEN);
    expect(orderId).toMatch(/^ord_/);
    expect(records.map((record) => record.host)).toEqual([
      "_certflow-challenge.console.certflow.test",
      "_certflow-challenge.www.console.certflow.test",
    ]);
    expect(causes).toHaveLength(2);
    for (const cause of causes) {
      expect(cause).toMatch(/NXDOMAIN — The name does not exist in DNS yet\./);
    }
    expect(stayed).toBe(true);
    expect(timeline).toMatch(/Submitted[\s\S]*Waiting for validation[\s\S]*Issuing[\s\S]*Issued/);
    expect(nginx.suggestedFilename()).toMatch(/\.zip$/);
    expect(certificateText).toContain("DNS:console.certflow.test");
    expect(certificateText).toContain("DNS:www.console.certflow.test");
    expect(publicKeyOfCertificate(join(work, "fullchain.pem"))).toBe(
      publicKeyOfPrivateKey(join(work, "server.key")),
    );
    expect(passwordAsked).toBe(true);
    expect(pfx.suggestedFilename()).toMatch(/\.pfx$/);
    expect(pfxCertificates).toMatch(/subject=CN ?= ?console\.certflow\.test/);
    expect(listed).toBe(1);
    const order = (await customer.request("GET", `/v1/orders/${orderId}`)).json;
    expect(order.status).toBe("ISSUED");
    const history = (await customer.request("GET", `/v1/orders/${orderId}/history`)).json.events;
    expect(history.map((event: any) => event.message)).toContain(
      "Customer check: everything is published.",
    );
    for (const violations of [
      signInViolations,
      newOrderViolations,
      waitingViolations,
      issuedViolations,
      listViolations,
    ]) {
      expect(violations).toEqual([]);
    }
  });

  it("shows every defect of a pasted CSR next to it, as the API names them", async () => {
    // Prepare: a CSR with a 1024-bit key, signed with SHA-1, for other names.
    const csrPath = join(work, "defective.csr");
    execFileSync(
      "openssl",
      [
        "req",
        "-new",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        join(work, "defective.key"),
        "-sha1",
        "-subj",
        "/CN=other.certflow.test",
        "-addext",
        "subjectAltName=DNS:other.certflow.test,DNS:csr.certflow.test",
        "-out",
        csrPath,
      ],
      { stdio: "ignore" },
    );
    const csr = readFileSync(csrPath, "utf8");
    const { context, page } = await signedIn();

    // Act
    await page.getByRole("link", { name: "New order" }).first().click();
    await page
      .getByLabel("Names to protect, one per line")
      .fill("csr.certflow.test\nwww.csr.certflow.test");
    await page.getByLabel("Yes: I paste my CSR (I keep the key)").check();
    await page.getByLabel("Your CSR (PEM)").fill(csr);
    await page.getByRole("button", { name: "Check the CSR" }).click();
    await page.getByText("It reads as a CSR.").waitFor();
    await page.getByLabel("Contact name").fill("Ada Lovelace");
    await page.getByLabel("Contact email").fill("ada@certflow.test");
    await page.getByRole("button", { name: "Place the order" }).click();
    await page.getByText("5 problems with this CSR:").waitFor();
    const shown = await page.locator("#order-csr-problems li").allInnerTexts();
    const summaryFocused = await page.evaluate(() =>
      document.activeElement?.classList.contains("error-summary"),
    );
    const violations = await seriousViolations(page);
    await screenshot(page, "console-csr-defects");
    await context.close();
    const listed = (await customer.request("GET", "/v1/orders?domain=csr.certflow.test")).json;

    // Assess
    const codes = shown.map((text) => /([A-Z_]{4,}):/.exec(text)?.[1]);
    expect(codes).toEqual([
      "KEY_TOO_SMALL",
      "WEAK_SIGNATURE_HASH",
      "NAME_MISSING",
      "NAME_NOT_ORDERED",
      "COMMON_NAME_MISMATCH",
    ]);
    expect(shown[0]).toContain("RSA 1024 bits");
    expect(shown[2]).toContain("www.csr.certflow.test");
    expect(summaryFocused).toBe(true);
    expect(listed.orders).toEqual([]);
    expect(violations).toEqual([]);
  });
});
