import { createHash } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import {
  type FakeAuthorizationServer,
  startFakeAuthorizationServer,
} from "../support/fake-authorization-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { launchBrowser, screenshot, seriousViolations } from "./support/browser.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const CLIENT_ID = "console-client";
/** Short enough for the test to see the console refresh it by itself. */
const ID_TOKEN_SECONDS = 6;

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let fake: FakeAuthorizationServer;
let service: RunningService;
let browser: Browser;

const order = (client: ApiClient, domain: string) =>
  client.request("POST", "/v1/orders", {
    body: {
      domains: [domain],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
  });

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  fake = await startFakeAuthorizationServer({
    clientId: CLIENT_ID,
    users: {
      ada: { tenant: "tenant-sso", groups: ["customer"] },
      // In the pool, but in neither group: the API gives it no principal.
      nobody: { tenant: "tenant-sso", groups: [] },
    },
    idTokenSeconds: ID_TOKEN_SECONDS,
  });
  service = await startLocalService({
    CERTFLOW_API_TOKENS: "sso-api-token:tenant-sso:customer,other-api-token:tenant-other:customer",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_CONSOLE_SIGN_IN_URL: fake.url,
    CERTFLOW_CONSOLE_CLIENT_ID: CLIENT_ID,
  });
  // One order in the signed-in user's tenant, one in another tenant's.
  expect(
    (await order(new ApiClient(service.url, "sso-api-token"), "sso.certflow.test")).status,
  ).toBe(202);
  expect(
    (await order(new ApiClient(service.url, "other-api-token"), "other.certflow.test")).status,
  ).toBe(202);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await fake?.close();
  await dns?.close();
});

const stored = (page: Page) =>
  page.evaluate(() => ({
    token: sessionStorage.getItem("certflow.token"),
    refresh: sessionStorage.getItem("certflow.refreshToken"),
  }));

const expiryOf = (jwt: string) =>
  (
    JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      exp: number;
    }
  ).exp;

describe("the web console, signing in through the managed login", () => {
  it("signs in with the code flow and PKCE, refreshes the ID token by itself, and signs out", async () => {
    // Prepare: the sign-in page, before anything is pressed.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(service.url);
    await page.getByRole("heading", { name: "Sign in to certflow" }).waitFor();
    const tokenFieldShown = await page.getByLabel("API token").count();
    const signInViolations = await seriousViolations(page);
    await screenshot(page, "console-cognito-sign-in");

    // Act: Sign in, on the managed login's page, and back.
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${fake.url}/oauth2/authorize?**`);
    await page.getByLabel("Username").fill("ada");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor({ timeout: 15_000 });
    await page.getByText("sso.certflow.test").first().waitFor();
    const listText = await page.locator("main").innerText();
    const addressAfterSignIn = page.url();
    const first = await stored(page);
    const ordersViolations = await seriousViolations(page);
    await screenshot(page, "console-cognito-orders");

    // The ID token expires: the console gets a new one with the refresh token, by itself.
    await expect
      .poll(() => fake.exchanges.filter((e) => e.grantType === "refresh_token").length, {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    const firstExpiry = expiryOf(first.token ?? "");
    await expect.poll(() => Date.now() / 1000 > firstExpiry + 1, { timeout: 20_000 }).toBe(true);
    const oldTokenAnswer = await new ApiClient(service.url, first.token ?? "").request(
      "GET",
      "/v1/whoami",
    );
    await page.getByRole("link", { name: "New order" }).first().click();
    await page.getByRole("heading", { name: "New order" }).waitFor();
    await page.getByRole("link", { name: "Orders" }).first().click();
    await page.getByText("sso.certflow.test").first().waitFor({ timeout: 15_000 });
    const refreshed = await stored(page);
    const whoAmI = await new ApiClient(service.url, refreshed.token ?? "").request(
      "GET",
      "/v1/whoami",
    );

    // Sign out: through the managed login's logout, back to the sign-in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to certflow" }).waitFor({ timeout: 15_000 });
    const afterSignOut = await stored(page);
    await context.close();

    // Assess
    expect(tokenFieldShown).toBe(0);
    expect(signInViolations).toEqual([]);
    expect(ordersViolations).toEqual([]);
    const authorize = fake.authorizations[0];
    expect(authorize?.get("response_type")).toBe("code");
    expect(authorize?.get("client_id")).toBe(CLIENT_ID);
    expect(authorize?.get("redirect_uri")).toBe(`${service.url}/`);
    expect(authorize?.get("code_challenge_method")).toBe("S256");
    expect(authorize?.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize?.get("state")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The fake checked SHA-256(code_verifier) against the challenge before answering 200.
    expect(fake.exchanges[0]).toEqual({ grantType: "authorization_code", status: 200 });
    expect(addressAfterSignIn).not.toMatch(/code=|state=/);
    expect(first.token?.split(".")).toHaveLength(3);
    expect(first.refresh).not.toBeNull();
    expect(listText).not.toContain("other.certflow.test");
    expect(oldTokenAnswer.status).toBe(401);
    expect(refreshed.token).not.toBe(first.token);
    expect(whoAmI.json).toEqual({ tenantId: "tenant-sso", role: "customer" });
    expect(fake.logouts[0]?.get("client_id")).toBe(CLIENT_ID);
    expect(fake.logouts[0]?.get("logout_uri")).toBe(`${service.url}/`);
    expect(afterSignOut).toEqual({ token: null, refresh: null });
  });

  it("says in words when a sign-in is cancelled, comes back with another tab's state, fails PKCE, or has no role", async () => {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    const cancelled = await page.getByRole("alert").innerText();

    await page.goto(`${service.url}/?code=made-up&state=not-this-tabs`);
    const foreign = await page.getByRole("alert").innerText();
    const addressAfterForeign = page.url();

    // A verifier that does not match the challenge the managed login was given.
    const challenge = createHash("sha256").update("v".repeat(64)).digest("base64url");
    await page.evaluate(() =>
      sessionStorage.setItem(
        "certflow.signIn.pending",
        JSON.stringify({ state: "st4te", verifier: "w".repeat(64) }),
      ),
    );
    const authorize = new URL(`${fake.url}/oauth2/authorize`);
    for (const [name, value] of Object.entries({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: `${service.url}/`,
      state: "st4te",
      code_challenge_method: "S256",
      code_challenge: challenge,
    })) {
      authorize.searchParams.set(name, value);
    }
    await page.goto(authorize.href);
    await page.getByLabel("Username").fill("ada");
    await page.getByRole("button", { name: "Continue" }).click();
    const refused = await page.getByRole("alert").innerText();
    const refusedExchange = fake.exchanges.at(-1);
    const stillSignedOut = await stored(page);

    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("Username").fill("nobody");
    await page.getByRole("button", { name: "Continue" }).click();
    const noRole = await page.getByRole("alert").innerText();
    const noRoleStored = await stored(page);
    await page.close();

    expect(cancelled).toContain("The sign-in was cancelled or refused");
    expect(foreign).toContain("not started from this tab");
    expect(addressAfterForeign).toBe(`${service.url}/`);
    expect(refused).toContain("refused the code");
    expect(refusedExchange).toEqual({
      grantType: "authorization_code",
      status: 400,
      error: "invalid_grant",
    });
    expect(stillSignedOut).toEqual({ token: null, refresh: null });
    expect(noRole).toContain("the service does not accept your user");
    expect(noRoleStored).toEqual({ token: null, refresh: null });
  });
});
