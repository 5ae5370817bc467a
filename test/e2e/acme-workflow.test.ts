import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChalltestsrvManagement } from "../../functions/adapters/challtestsrv/challtestsrv-management.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { type PebbleHandle, startPebble } from "../support/pebble.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { openssl } from "./support/openssl.ts";
import { findSecrets } from "./support/secret-scan.ts";

// The local service with CERTFLOW_CA=acme against Pebble, Let's Encrypt's ACME test server.
// Names are under a registrable domain (public CAs refuse .test); Pebble's mock DNS
// (pebble-challtestsrv) answers for them, and the service's DCV pre-checks ask it too.

const TOKEN = "acme-e2e-customer-token";
const OPERATOR_TOKEN = "acme-e2e-operator-token";
const DELEGATION_ZONE = "dcv.certflow.test";
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-acme-"));

interface AcmeRun {
  readonly pebble: PebbleHandle;
  readonly service: RunningService;
  readonly customer: ApiClient;
  readonly dns: ChalltestsrvManagement;
  readonly operator: ApiClient;
  readonly executions: string[];
}

async function startAcmeRun(
  pebble: PebbleHandle,
  extra: Record<string, string> = {},
): Promise<AcmeRun> {
  const trust = join(work, `pebble-https-${pebble.httpPort}.pem`);
  writeFileSync(trust, pebble.httpsTrustPem);
  const service = await startLocalService({
    CERTFLOW_API_TOKENS: `${TOKEN}:tenant-a:customer,${OPERATOR_TOKEN}:ops:operator`,
    CERTFLOW_CA: "acme",
    CERTFLOW_ACME_DIRECTORY_URL: pebble.directoryUrl,
    CERTFLOW_ACME_CA_CERTS: trust,
    CERTFLOW_ACME_CONTACT_EMAIL: "pki@certflow-e2e.com",
    CERTFLOW_DNS_RESOLVER: pebble.dnsAddress,
    CERTFLOW_HTTP_VALIDATION_PORT: String(pebble.httpPort),
    CERTFLOW_DCV_DELEGATION_ZONE: DELEGATION_ZONE,
    CERTFLOW_DNS_ZONE_API_URL: pebble.challtestsrvUrl,
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    CERTFLOW_RETRY_INTERVAL_MS: "100",
    ...extra,
  });
  return {
    pebble,
    service,
    customer: new ApiClient(service.url, TOKEN),
    operator: new ApiClient(service.url, OPERATOR_TOKEN),
    dns: new ChalltestsrvManagement(pebble.challtestsrvUrl),
    executions: [],
  };
}

async function submit(run: AcmeRun, domains: string[], method: string) {
  const answer = await run.customer.request("POST", "/v1/orders", {
    body: { domains, validation: { method }, contact: { name: "Ada", email: "ada@example.com" } },
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  run.executions.push(answer.json.execution.name);
  return answer.json as { id: string };
}

async function validationsOf(run: AcmeRun, orderId: string) {
  const order = await run.customer.waitForOrder(orderId, (o) => o.status !== "SUBMITTED");
  expect(order.status, JSON.stringify(order.failure)).toBe("PENDING_VALIDATION");
  return order.validations as { domain: string; instructions: any }[];
}

async function publishTxtRecords(run: AcmeRun, validations: { instructions: any }[]) {
  for (const { instructions } of validations) {
    expect(instructions).toMatchObject({ method: "dns-txt", recordType: "TXT" });
    await run.dns.addTxt(instructions.host, instructions.value);
  }
}

/** Downloads the PEM (certificate + chain) and verifies it with openssl against Pebble's root. */
async function verifyIssuedChain(run: AcmeRun, orderId: string, names: string[]) {
  const download = await run.customer.request(
    "GET",
    `/v1/orders/${orderId}/certificate?format=pem`,
  );
  expect(download.status).toBe(200);
  const fullchain = new TextDecoder().decode(download.bytes);
  const [leaf, ...chain] = fullchain
    .split(/(?=-----BEGIN CERTIFICATE-----)/)
    .filter((block) => block.includes("BEGIN CERTIFICATE"));
  const directory = mkdtempSync(join(work, "chain-"));
  writeFileSync(join(directory, "leaf.pem"), leaf ?? "");
  writeFileSync(join(directory, "chain.pem"), chain.join(""));
  writeFileSync(join(directory, "root.pem"), await run.pebble.issuingRootPem());
  const verdict = openssl([
    "verify",
    "-CAfile",
    join(directory, "root.pem"),
    "-untrusted",
    join(directory, "chain.pem"),
    join(directory, "leaf.pem"),
  ]);
  expect(verdict.trim()).toMatch(/leaf\.pem: OK$/);
  const text = openssl([
    "x509",
    "-in",
    join(directory, "leaf.pem"),
    "-noout",
    "-ext",
    "subjectAltName",
  ]);
  for (const name of names) expect(text).toContain(`DNS:${name}`);
}

/** The execution records the local host keeps on disk, as written (not the transient .tmp). */
function executionRecordTexts(run: AcmeRun): string[] {
  const executionsDir = join(run.service.dataDir, "executions");
  return readdirSync(executionsDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => readFileSync(join(executionsDir, file), "utf8"));
}

/** The execution records and the service's own output, where no secret may appear. */
function everythingTheServiceWrote(run: AcmeRun): string {
  return [run.service.output(), ...executionRecordTexts(run)].join("\n");
}

describe("ACME orders through the local service, against Pebble", () => {
  let run: AcmeRun;
  let web: Awaited<ReturnType<typeof startCustomerWebServer>>;
  let httpOrderId = "";

  beforeAll(async () => {
    const pebble = await startPebble();
    // The customer's web server listens where Pebble (and the service's pre-check) connect.
    web = await startCustomerWebServer({ port: pebble.httpPort });
    run = await startAcmeRun(pebble);
  });

  afterAll(async () => {
    await run?.service.stop();
    await web?.close();
    await run?.pebble.stop();
  });

  it("issues a two-name http-01 order once the customer serves the key authorizations", async () => {
    const names = ["shop.certflow-e2e.com", "www.shop.certflow-e2e.com"];
    const order = await submit(run, names, "http-file");
    httpOrderId = order.id;
    const validations = await validationsOf(run, order.id);
    expect(validations.map((validation) => validation.domain)).toEqual(names);
    for (const { domain, instructions } of validations) {
      expect(instructions.url).toMatch(
        new RegExp(
          `^http://${domain.replaceAll(".", "\\.")}/\\.well-known/acme-challenge/[\\w-]+$`,
        ),
      );
      const url = new URL(instructions.url);
      web.publish(url.hostname, url.pathname, instructions.content);
    }
    await run.customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    await verifyIssuedChain(run, order.id, names);
  });

  it("issues a dns-01 order for a name and its wildcard from the TXT records the customer sets", async () => {
    const names = ["wild.certflow-e2e.com", "*.wild.certflow-e2e.com"];
    const order = await submit(run, names, "dns-txt");
    const validations = await validationsOf(run, order.id);
    expect(new Set(validations.map((v) => v.instructions.host))).toEqual(
      new Set(["_acme-challenge.wild.certflow-e2e.com"]),
    );
    await publishTxtRecords(run, validations);
    // "Verify now": the waiting execution moves on without waiting for its next check.
    const checks = await run.customer.request("POST", `/v1/orders/${order.id}/checks`);
    expect(checks.status).toBe(200);
    await run.customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    await verifyIssuedChain(run, order.id, names);
  });

  it("issues a dns-cname order: the customer sets the CNAME once, the service writes the TXT", async () => {
    const names = ["delegated.certflow-e2e.com"];
    const order = await submit(run, names, "dns-cname");
    const [validation] = await validationsOf(run, order.id);
    expect(validation?.instructions).toMatchObject({
      recordType: "CNAME",
      host: "_acme-challenge.delegated.certflow-e2e.com",
      value: expect.stringMatching(new RegExp(`\\.${DELEGATION_ZONE.replaceAll(".", "\\.")}$`)),
    });
    await run.dns.setCname(validation?.instructions.host, validation?.instructions.value);
    await run.customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    await verifyIssuedChain(run, order.id, names);
  });

  it("revokes through the CA: Pebble reports the serial revoked", async () => {
    const issued = (await run.customer.request("GET", `/v1/orders/${httpOrderId}`)).json;
    const answer = await run.customer.request("POST", `/v1/orders/${httpOrderId}/revocation`, {
      body: { reason: "superseded" },
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.status).toBe("REVOKED");
    const status = await run.pebble.management(
      `/cert-status-by-serial/${issued.certificate.serialNumber}`,
    );
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ Status: "Revoked" });
  });

  it("ends an order as CA_UNAVAILABLE when the CA goes away mid-order, with nothing left running", async () => {
    const names = ["gone.certflow-e2e.com"];
    const order = await submit(run, names, "dns-txt");
    const validations = await validationsOf(run, order.id);
    await run.pebble.killPebble();
    await publishTxtRecords(run, validations);
    const failed = await run.customer.waitForOrder(order.id, (o) => o.status === "FAILED");
    expect(failed.failure.code).toBe("CA_UNAVAILABLE");
    expect(failed.failure.message).toMatch(/could not be reached|unavailable/i);
    const operatorView = await new ApiClient(run.service.url, TOKEN).request(
      "GET",
      `/v1/orders/${order.id}/history`,
    );
    expect(JSON.stringify(operatorView.json)).toMatch(/FAILED/);
    // Every execution of this run has ended: issued, or failed through the failure path.
    await run.operator.waitForExecutionEnd(failed.execution.name);
    const records = executionRecordTexts(run).map(
      (text) => JSON.parse(text) as { name: string; status: string },
    );
    expect(records.length).toBeGreaterThanOrEqual(run.executions.length);
    for (const record of records) expect(record.status, record.name).not.toBe("RUNNING");
  });
});

describe("an ACME account with External Account Binding, against Pebble", () => {
  let pebble: PebbleHandle;
  const runs: AcmeRun[] = [];

  beforeAll(async () => {
    pebble = await startPebble({ externalAccountBinding: true });
  });

  afterAll(async () => {
    for (const run of runs) await run.service.stop();
    await pebble?.stop();
  });

  it("issues with the right HMAC key, which never shows in executions or logs", async () => {
    const hmacKey = pebble.eabKeys?.["kid-1"] ?? "";
    const run = await startAcmeRun(pebble, {
      CERTFLOW_ACME_EAB_KID: "kid-1",
      CERTFLOW_ACME_EAB_HMAC_KEY: hmacKey,
    });
    runs.push(run);
    const names = ["eab.certflow-e2e.com"];
    const order = await submit(run, names, "dns-txt");
    await publishTxtRecords(run, await validationsOf(run, order.id));
    await run.customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    await verifyIssuedChain(run, order.id, names);
    expect(findSecrets(everythingTheServiceWrote(run), [hmacKey])).toEqual([]);
  });

  it("fails the order with a clear message when the CA refuses the binding", async () => {
    const wrongKey = pebble.eabKeys?.["kid-2"] ?? "";
    const run = await startAcmeRun(pebble, {
      CERTFLOW_ACME_EAB_KID: "kid-1",
      CERTFLOW_ACME_EAB_HMAC_KEY: wrongKey,
    });
    runs.push(run);
    const order = await submit(run, ["refused.certflow-e2e.com"], "dns-txt");
    const failed = await run.customer.waitForOrder(order.id, (o) => o.status === "FAILED");
    expect(failed.failure.code).toBe("CA_REJECTED");
    expect(failed.failure.message).toMatch(/external account binding/i);
    expect(findSecrets(everythingTheServiceWrote(run), [wrongKey])).toEqual([]);
  });
});

describe("a CA that rejects half of all nonces (PEBBLE_WFE_NONCEREJECT=50)", () => {
  let run: AcmeRun;

  beforeAll(async () => {
    run = await startAcmeRun(await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: "50" } }));
  });

  afterAll(async () => {
    await run?.service.stop();
    await run?.pebble.stop();
  });

  it("still issues every order", async () => {
    const orders = await Promise.all(
      ["n1", "n2", "n3"].map((label) => submit(run, [`${label}.certflow-e2e.com`], "dns-txt")),
    );
    for (const order of orders) await publishTxtRecords(run, await validationsOf(run, order.id));
    for (const order of orders) {
      const done = await run.customer.waitForOrder(
        order.id,
        (o) => o.status === "ISSUED" || o.status === "FAILED",
      );
      expect(done.status, JSON.stringify(done.failure)).toBe("ISSUED");
    }
  });
});
