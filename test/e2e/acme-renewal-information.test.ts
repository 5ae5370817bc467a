import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChalltestsrvManagement } from "../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import { fixedClock } from "../../functions/domain/clock.ts";
import { writeLogsTo } from "../../functions/lambda/powertools.ts";
import { ariCertIdOf } from "../../functions/pki/ari-cert-id.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { type PebbleHandle, startPebble } from "../support/pebble.ts";
import {
  type PebbleRenewalInfoFront,
  startPebbleRenewalInfoFront,
} from "../support/pebble-renewal-info-front.ts";
import { ApiClient } from "./support/api-client.ts";

// The local host with CERTFLOW_CA=acme against Pebble behind a front that speaks ACME Renewal
// Information (RFC 9773) and ACME profiles. The host runs in this process on a clock the test
// moves, so the CA's Retry-After passes without waiting; Pebble issues in real time.

const TOKENS = { customer: "ari-customer", operator: "ari-operator" };
const DAY_MS = 86_400_000;
const PROFILES = {
  classic: "The profile certificates had before",
  shortlived: "Certificates valid for six days",
};

const clock = fixedClock(new Date());
let pebble: PebbleHandle;
let front: PebbleRenewalInfoFront;
let host: LocalHost;
let customer: ApiClient;
let operator: ApiClient;
let dns: ChalltestsrvManagement;

const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();

beforeAll(async () => {
  pebble = await startPebble();
  front = await startPebbleRenewalInfoFront(pebble);
  const work = mkdtempSync(join(tmpdir(), "certflow-e2e-ari-"));
  const trust = join(work, "front-https-root.pem");
  writeFileSync(trust, front.httpsTrustPem);
  // The steps' JSON logs go to a file, as `npm start` keeps them, not to the test's output.
  writeLogsTo(createWriteStream(join(work, "service.log")));
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: join(work, "data"),
    CERTFLOW_API_TOKENS: `${TOKENS.customer}:tenant-a:customer,${TOKENS.operator}:ops:operator`,
    CERTFLOW_CA: "acme",
    CERTFLOW_ACME_DIRECTORY_URL: front.directoryUrl,
    CERTFLOW_ACME_CA_CERTS: trust,
    CERTFLOW_ACME_CONTACT_EMAIL: "pki@certflow-e2e.com",
    CERTFLOW_DNS_RESOLVER: pebble.dnsAddress,
    CERTFLOW_HTTP_VALIDATION_PORT: String(pebble.httpPort),
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_RENEWAL_INTERVAL_SECONDS: "0",
    CERTFLOW_RETRY_INTERVAL_MS: "100",
  });
  host = await startLocalHost(settings, {
    fresh: true,
    clock,
    log: (line) => {
      if (/error|fail/i.test(line)) console.log(line);
    },
  });
  customer = new ApiClient(host.url, TOKENS.customer);
  operator = new ApiClient(host.url, TOKENS.operator);
  dns = new ChalltestsrvManagement(pebble.challtestsrvUrl);
});

afterAll(async () => {
  await host?.stop();
  await front?.stop();
  await pebble?.stop();
});

/** Publishes the TXT records an order (or its renewal in flight) asks for, and checks at once. */
async function publishAndCheck(orderId: string, validations: { instructions: any }[]) {
  for (const { instructions } of validations) {
    expect(instructions).toMatchObject({ method: "dns-txt", recordType: "TXT" });
    await dns.addTxt(instructions.host, instructions.value);
  }
  const checks = await customer.request("POST", `/v1/orders/${orderId}/checks`);
  expect(checks.status, JSON.stringify(checks.json)).toBe(200);
}

async function certificatePem(orderId: string): Promise<string> {
  const download = await customer.request("GET", `/v1/orders/${orderId}/certificate?format=pem`);
  expect(download.status).toBe(200);
  return new TextDecoder().decode(download.bytes);
}

describe("ACME profiles and renewal information through the local service", () => {
  let orderId = "";
  let certId = "";

  it("refuses a profile the CA does not offer, naming those it does", async () => {
    front.setProfiles(PROFILES);

    const answer = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["nope.certflow-e2e.com"],
        validation: { method: "dns-txt" },
        contact: { name: "Ada", email: "ada@example.com" },
        profile: "tlsserver",
      },
    });

    expect(answer.status).toBe(422);
    expect(answer.json.error).toMatchObject({
      code: "PROFILE_UNKNOWN",
      message: 'The CA offers no profile "tlsserver"; it offers "classic", "shortlived".',
    });
  });

  it("issues under the profile asked for, and shows the window the CA suggests", async () => {
    // Prepare: the CA suggests renewing in two months, and to ask again in an hour.
    front.setProfiles(PROFILES);
    const window = { start: at(60 * DAY_MS), end: at(62 * DAY_MS) };
    front.setWindow("*", { ...window, retryAfter: "3600" });

    // Act
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["ari.certflow-e2e.com"],
        validation: { method: "dns-txt" },
        contact: { name: "Ada", email: "ada@example.com" },
        profile: "shortlived",
      },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    orderId = submitted.json.id;
    const pending = await customer.waitForOrder(orderId, (o) => o.status !== "SUBMITTED");
    expect(pending.status, JSON.stringify(pending.failure)).toBe("PENDING_VALIDATION");
    await publishAndCheck(orderId, pending.validations);
    const issued = await customer.waitForOrder(orderId, (o) => o.status === "ISSUED");

    // Assess: newOrder named the profile; the window was asked for by the certificate's CertID.
    certId = ariCertIdOf(await certificatePem(orderId)) ?? "";
    expect(certId).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(front.newOrderPayloads()).toEqual([
      {
        identifiers: [{ type: "dns", value: "ari.certflow-e2e.com" }],
        profile: "shortlived",
      },
    ]);
    expect(front.renewalInfoRequests()).toEqual([certId]);
    expect(issued.profile).toBe("shortlived");
    expect(issued.renewal.window).toEqual({
      start: new Date(window.start).toISOString(),
      end: new Date(window.end).toISOString(),
    });
    expect(issued.renewal.nextAt >= issued.renewal.window.start).toBe(true);
    expect(issued.renewal.nextAt <= issued.renewal.window.end).toBe(true);
    expect(issued.certificate.renewalWindow).toMatchObject({
      certId,
      nextFetchAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
    });
  });

  it("renews at once when the CA moves the window into the past, naming the certificate it replaces", async () => {
    // Prepare: the CA asks for renewal now (a window already over, with its reason), and the
    // hour its last answer asked to wait has passed.
    const pastWindow = {
      start: at(-2 * DAY_MS),
      end: at(-DAY_MS),
      explanationURL: "https://ca.example/incidents/mass-revocation",
    };
    front.setWindow(certId, { ...pastWindow, retryAfter: "3600" });
    const nextWindow = { start: at(30 * DAY_MS), end: at(31 * DAY_MS) };
    front.setWindow("*", { ...nextWindow, retryAfter: "21600" });
    clock.advance(3_601);

    // Act
    const run = await operator.request("POST", "/v1/renewal-runs");
    const renewing = await customer.waitForOrder(
      orderId,
      (o) => o.renewal?.status?.status === "PENDING_VALIDATION",
    );
    await publishAndCheck(renewing.renewal.status.orderId, renewing.renewal.status.validations);
    const renewed = await customer.waitForOrder(orderId, (o) => o.certificates?.length === 2);

    // Assess: the run asked again, found the window over and renewed; the renewal's newOrder
    // named the replaced certificate and the profile; the new certificate has its own window.
    expect(run.status).toBe(202);
    expect(run.json).toMatchObject({ windowsRefreshed: 1, started: 1 });
    expect(renewing.renewal.window).toEqual({
      start: new Date(pastWindow.start).toISOString(),
      end: new Date(pastWindow.end).toISOString(),
      explanationUrl: pastWindow.explanationURL,
    });
    expect(front.newOrderPayloads()[1]).toEqual({
      identifiers: [{ type: "dns", value: "ari.certflow-e2e.com" }],
      profile: "shortlived",
      replaces: certId,
    });
    const renewedCertId = ariCertIdOf(await certificatePem(orderId));
    expect(renewedCertId).not.toBe(certId);
    expect(front.renewalInfoRequests()).toEqual([certId, certId, renewedCertId]);
    expect(renewed.status).toBe("ISSUED");
    expect(renewed.profile).toBe("shortlived");
    expect(renewed.certificate.renewalWindow.certId).toBe(renewedCertId);
    expect(renewed.renewal.window).toEqual({
      start: new Date(nextWindow.start).toISOString(),
      end: new Date(nextWindow.end).toISOString(),
    });
  });
});
