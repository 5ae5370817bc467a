import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { freeLoopbackPort } from "../support/loopback-port.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { downloadNginxBundle } from "./support/nginx-bundle.ts";
import { startNginx } from "./support/nginx-server.ts";

const TOKENS = "tenant-a-token:tenant-a:customer,tenant-b-token:tenant-b:customer";
const SITE = "installed.certflow.test";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let web: Awaited<ReturnType<typeof startCustomerWebServer>>;
let service: RunningService;
let customer: ApiClient;
let otherTenant: ApiClient;
/** Where the service looks for the customer's HTTPS server (CERTFLOW_INSTALLATION_CHECK_PORT). */
let httpsPort: number;
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-installation-"));

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  web = await startCustomerWebServer();
  dns.setA(SITE, "127.0.0.1");
  httpsPort = await freeLoopbackPort();
  service = await startLocalService({
    CERTFLOW_API_TOKENS: TOKENS,
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_HTTP_VALIDATION_PORT: String(web.port),
    CERTFLOW_INSTALLATION_CHECK_PORT: String(httpsPort),
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  customer = new ApiClient(service.url, "tenant-a-token");
  otherTenant = new ApiClient(service.url, "tenant-b-token");
});

afterAll(async () => {
  await service?.stop();
  await web?.close();
  await dns?.close();
});

describe("the installation check through the local service", () => {
  it("runs after issuance when asked for, then on demand against nginx: OK, then CHAIN_INCOMPLETE", async () => {
    // Submit with installationCheck and publish the validation file.
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: [SITE],
        validation: { method: "http-file" },
        contact: { name: "Ada Lovelace", email: "ada@certflow.test" },
        installationCheck: true,
      },
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(202);
    expect(submitted.json.installationCheck).toBe(true);
    const id = submitted.json.id as string;
    const early = await customer.request("POST", `/v1/orders/${id}/installation-check`);
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe("NOT_ISSUED");
    const waiting = await customer.waitForOrder(id, (o) => o.status === "PENDING_VALIDATION");
    const instructions = waiting.validations[0].instructions;
    const url = new URL(instructions.url);
    web.publish(url.hostname, url.pathname, instructions.content);

    // After issuance the service checked on its own: nothing serves HTTPS there yet.
    const issued = await customer.waitForOrder(
      id,
      (o) => o.status === "ISSUED" && o.installation !== undefined,
    );
    expect(issued.installation).toMatchObject({
      trigger: "issuance",
      certificateSerial: issued.certificate.serialNumber,
      results: [{ domain: SITE, host: SITE, ok: false, finding: "CONNECTION_REFUSED" }],
    });

    // The customer installs the nginx download.
    const bundle = await downloadNginxBundle(customer, id, join(work, "bundle"));
    const serve = (certificateFile: string, name: string) =>
      startNginx({
        directory: join(work, name),
        serverName: SITE,
        certificateFile,
        keyFile: bundle.keyFile,
        port: httpsPort,
      });

    let nginx = await serve(bundle.fullchainFile, "nginx-full");
    try {
      const checked = await customer.request("POST", `/v1/orders/${id}/installation-check`);
      expect(checked.status, JSON.stringify(checked.json)).toBe(200);
      expect(checked.json).toMatchObject({
        id,
        allOk: true,
        certificateSerial: issued.certificate.serialNumber,
        results: [
          {
            domain: SITE,
            ok: true,
            finding: "OK",
            servedSerial: issued.certificate.serialNumber,
          },
        ],
      });
      expect(checked.json.results[0].servedChain).toHaveLength(2);
    } finally {
      await nginx.stop();
    }

    nginx = await serve(bundle.leafOnlyFile, "nginx-leaf");
    try {
      const checked = await customer.request("POST", `/v1/orders/${id}/installation-check`);
      expect(checked.json.results[0]).toMatchObject({ finding: "CHAIN_INCOMPLETE", ok: false });
    } finally {
      await nginx.stop();
    }

    // The order shows the last check; its history every one; other tenants see nothing.
    const view = await customer.request("GET", `/v1/orders/${id}`);
    expect(view.json.installation.results[0].finding).toBe("CHAIN_INCOMPLETE");
    const history = await customer.request("GET", `/v1/orders/${id}/history`);
    const lines = (history.json.events ?? history.json) as { type: string; message: string }[];
    expect(
      lines.filter((event) => event.type === "installation").map((event) => event.message),
    ).toEqual([
      `Installation check after issuance: ${SITE} CONNECTION_REFUSED.`,
      `Installation check: every name serves certificate ${issued.certificate.serialNumber} with its full chain.`,
      `Installation check: ${SITE} CHAIN_INCOMPLETE.`,
    ]);
    const foreign = await otherTenant.request("POST", `/v1/orders/${id}/installation-check`);
    expect(foreign.status).toBe(404);
  });
});
