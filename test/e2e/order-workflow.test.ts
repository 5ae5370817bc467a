import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";
import { startNginx } from "./support/nginx-server.ts";
import { openssl, publicKeyOfCertificate, publicKeyOfPrivateKey } from "./support/openssl.ts";
import { findSecrets, pemBodyLines } from "./support/secret-scan.ts";

const TOKENS =
  "tenant-a-token:tenant-a:customer,tenant-b-token:tenant-b:customer,operator-token:ops:operator";
const PFX_PASSWORD = "correct-Horse-42";

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let web: Awaited<ReturnType<typeof startCustomerWebServer>>;
let service: RunningService;
let customer: ApiClient;
let otherTenant: ApiClient;
let operator: ApiClient;
const work = mkdtempSync(join(tmpdir(), "certflow-e2e-work-"));
const secrets: string[] = [PFX_PASSWORD];
const executionNames: string[] = [];

function contact() {
  return { name: "Ada Lovelace", email: "ada@certflow.test" };
}

async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const answer = await customer.request("POST", "/v1/orders", { body, headers });
  expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  executionNames.push(answer.json.execution.name);
  return answer.json;
}

async function instructionsOf(orderId: string) {
  const order = await customer.waitForOrder(orderId, (o) => o.status === "PENDING_VALIDATION");
  return order.validations as { domain: string; instructions: any }[];
}

function publishHttp(instructions: { url: string; content: string }, suffix = "") {
  const url = new URL(instructions.url);
  web.publish(url.hostname, url.pathname, instructions.content + suffix);
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  web = await startCustomerWebServer();
  for (const name of [
    "shop.certflow.test",
    "www.shop.certflow.test",
    "www.checks.certflow.test",
    "late.certflow.test",
    "csr.certflow.test",
  ]) {
    dns.setA(name, "127.0.0.1");
  }
  service = await startLocalService({
    CERTFLOW_API_TOKENS: TOKENS,
    // The tests press "verify now" several times a second.
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    CERTFLOW_DNS_RESOLVER: dns.address,
    CERTFLOW_HTTP_VALIDATION_PORT: String(web.port),
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
  });
  customer = new ApiClient(service.url, "tenant-a-token");
  otherTenant = new ApiClient(service.url, "tenant-b-token");
  operator = new ApiClient(service.url, "operator-token");
});

afterAll(async () => {
  await service?.stop();
  await web?.close();
  await dns?.close();
});

describe("an http-file order", () => {
  it("issues, and nginx serves the downloaded bundle to a client trusting the embedded root", async () => {
    const order = await submit({
      domains: ["shop.certflow.test", "www.shop.certflow.test"],
      validation: { method: "http-file" },
      contact: contact(),
    });
    expect(order.status).toBe("SUBMITTED");
    const validations = await instructionsOf(order.id);
    expect(validations.map((v) => v.domain)).toEqual([
      "shop.certflow.test",
      "www.shop.certflow.test",
    ]);
    for (const validation of validations) {
      expect(validation.instructions.url).toMatch(
        new RegExp(
          `^http://${validation.domain.replaceAll(".", "\\.")}/\\.well-known/pki-validation/[A-F0-9]+\\.txt$`,
        ),
      );
      publishHttp(validation.instructions);
    }
    const issued = await customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    expect(issued.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);

    const root = await fetch(`${service.url}/v1/ca/root.pem`).then((r) => r.text());
    const directory = join(work, "nginx-bundle");
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "root.pem"), root);
    const bundle = await customer.request("GET", `/v1/orders/${order.id}/certificate?format=nginx`);
    expect(bundle.status).toBe(200);
    const files = unzipSync(bundle.bytes);
    const fullchainName = Object.keys(files).find((name) => name.endsWith(".fullchain.pem"));
    const keyName = Object.keys(files).find((name) => name.endsWith(".key"));
    expect(fullchainName).toBeDefined();
    expect(keyName).toBeDefined();
    for (const [name, content] of Object.entries(files))
      writeFileSync(join(directory, name), content);
    secrets.push(...pemBodyLines(new TextDecoder().decode(files[keyName ?? ""])));

    const nginx = await startNginx({
      directory,
      serverName: "shop.certflow.test",
      certificateFile: join(directory, fullchainName ?? ""),
      keyFile: join(directory, keyName ?? ""),
    });
    try {
      const answer = execFileSync(
        "curl",
        [
          "--silent",
          "--show-error",
          "--cacert",
          join(directory, "root.pem"),
          "--resolve",
          `www.shop.certflow.test:${nginx.port}:127.0.0.1`,
          `https://www.shop.certflow.test:${nginx.port}/`,
        ],
        { encoding: "utf8" },
      );
      expect(answer).toBe("hello from shop.certflow.test\n");
    } finally {
      await nginx.stop();
    }

    const pfx = await customer.request("GET", `/v1/orders/${order.id}/certificate?format=iis`, {
      headers: { "X-Pfx-Password": PFX_PASSWORD },
    });
    expect(pfx.status).toBe(200);
    const pfxFile = join(directory, "site.pfx");
    writeFileSync(pfxFile, pfx.bytes);
    const opened = openssl([
      "pkcs12",
      "-in",
      pfxFile,
      "-passin",
      `pass:${PFX_PASSWORD}`,
      "-nokeys",
    ]);
    expect(opened).toContain("-----BEGIN CERTIFICATE-----");
    expect(() =>
      openssl(["pkcs12", "-in", pfxFile, "-passin", "pass:wrong-password", "-nokeys"]),
    ).toThrow();

    const noPassword = await customer.request(
      "GET",
      `/v1/orders/${order.id}/certificate?format=iis`,
    );
    expect(noPassword.status).toBe(400);
    expect(noPassword.json.error.code).toBe("PASSWORD_REQUIRED");
  });
});

describe("a dns-txt order", () => {
  it("issues once the TXT record is published", async () => {
    // A name no earlier order of this tenant proved (a proof would be reused).
    const order = await submit({
      domains: ["txt.certflow.test"],
      validation: { method: "dns-txt" },
      key: { type: "RSA-2048" },
      contact: contact(),
    });
    const [validation] = await instructionsOf(order.id);
    expect(validation?.instructions).toMatchObject({
      recordType: "TXT",
      host: "_certflow-challenge.txt.certflow.test",
    });
    dns.setTxt(validation?.instructions.host, [validation?.instructions.value]);
    const issued = await customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    expect(issued.validations[0].status).toBe("valid");
    const history = await customer.request("GET", `/v1/orders/${order.id}/history`);
    expect(history.json.events.map((event: any) => event.status).filter(Boolean)).toEqual([
      "SUBMITTED",
      "PENDING_VALIDATION",
      "ISSUING",
      "ISSUED",
    ]);
  });
});

describe("a customer who publishes late", () => {
  it("keeps the order waiting, then issues after the record appears, woken by their own check", async () => {
    const order = await submit({
      domains: ["late.certflow.test"],
      validation: { method: "dns-txt" },
      contact: contact(),
    });
    const [validation] = await instructionsOf(order.id);
    const waiting = await customer.waitForOrder(
      order.id,
      (o) => o.validations[0]?.lastCheck?.ok === false,
    );
    expect(waiting.status).toBe("PENDING_VALIDATION");
    expect(waiting.validations[0].lastCheck.cause).toBe("NXDOMAIN");
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await customer.request("GET", `/v1/orders/${order.id}`)).json.status).toBe(
      "PENDING_VALIDATION",
    );

    dns.setTxt(validation?.instructions.host, [validation?.instructions.value]);
    const check = await customer.request("POST", `/v1/orders/${order.id}/checks`);
    expect(check.status).toBe(200);
    expect(check.json.allPublished).toBe(true);
    await customer.waitForOrder(order.id, (o) => o.status === "ISSUED", 15_000);
  });
});

describe("the pre-check", () => {
  it("names WRONG_VALUE, REDIRECTED, TRAILING_NEWLINE and NXDOMAIN", async () => {
    const fileOrder = await submit({
      // A name no earlier order proved: a proof this tenant holds would skip the checks.
      domains: ["www.checks.certflow.test"],
      validation: { method: "http-file" },
      contact: contact(),
    });
    const [file] = await instructionsOf(fileOrder.id);
    const url = new URL(file?.instructions.url);
    const causeAfter = async (publish: () => void) => {
      publish();
      const answer = await customer.request("POST", `/v1/orders/${fileOrder.id}/checks`);
      expect(answer.status).toBe(200);
      return answer.json.results[0];
    };
    expect(
      (await causeAfter(() => web.publish(url.hostname, url.pathname, "something else"))).cause,
    ).toBe("WRONG_VALUE");
    expect(
      (
        await causeAfter(() =>
          web.publish(url.hostname, url.pathname, "", {
            status: 301,
            redirectTo: "https://elsewhere.test/",
          }),
        )
      ).cause,
    ).toBe("REDIRECTED");
    const trailing = await causeAfter(() => publishHttp(file?.instructions, "\n"));
    expect(trailing.cause).toBe("TRAILING_NEWLINE");
    expect(trailing.detail).toMatch(/newline/i);

    const dnsOrder = await submit({
      domains: ["missing.certflow.test"],
      validation: { method: "dns-txt" },
      contact: contact(),
    });
    await instructionsOf(dnsOrder.id);
    const answer = await customer.request("POST", `/v1/orders/${dnsOrder.id}/checks`);
    expect(answer.json.results[0].cause).toBe("NXDOMAIN");

    for (const id of [fileOrder.id, dnsOrder.id]) {
      const cancelled = await customer.request("POST", `/v1/orders/${id}/cancellation`);
      expect(cancelled.json.status).toBe("CANCELLED");
    }
  });
});

describe("an uploaded CSR", () => {
  it("issues with the CSR's own key", async () => {
    const directory = join(work, "own-csr");
    mkdirSync(directory, { recursive: true });
    const keyFile = join(directory, "own.key");
    const csrFile = join(directory, "own.csr");
    openssl([
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      csrFile,
      "-subj",
      "/CN=csr.certflow.test",
      "-addext",
      "subjectAltName=DNS:csr.certflow.test",
    ]);
    secrets.push(...pemBodyLines(readFileSync(keyFile, "utf8")));
    const order = await submit({
      domains: ["csr.certflow.test"],
      validation: { method: "dns-txt" },
      csr: readFileSync(csrFile, "utf8"),
      contact: contact(),
    });
    const [validation] = await instructionsOf(order.id);
    dns.setTxt(validation?.instructions.host, [validation?.instructions.value]);
    await customer.waitForOrder(order.id, (o) => o.status === "ISSUED");
    const pem = await customer.request("GET", `/v1/orders/${order.id}/certificate?format=pem`);
    const certificateFile = join(directory, "issued.pem");
    writeFileSync(certificateFile, pem.bytes);
    expect(publicKeyOfCertificate(certificateFile)).toBe(publicKeyOfPrivateKey(keyFile));
    const pfx = await customer.request("GET", `/v1/orders/${order.id}/certificate?format=iis`, {
      headers: { "X-Pfx-Password": PFX_PASSWORD },
    });
    expect(pfx.status).toBe(409);
    expect(pfx.json.error.code).toBe("KEY_NOT_HELD");
  });

  it("is refused at submission with every defect listed, and nothing is stored", async () => {
    const directory = join(work, "weak-csr");
    mkdirSync(directory, { recursive: true });
    const csrFile = join(directory, "weak.csr");
    openssl([
      "req",
      "-new",
      "-newkey",
      "rsa:1024",
      "-nodes",
      "-keyout",
      join(directory, "weak.key"),
      "-out",
      csrFile,
      "-subj",
      "/CN=other.certflow.test",
    ]);
    const before = (await customer.request("GET", "/v1/orders?limit=100")).json.orders.length;
    const answer = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["csr.certflow.test"],
        validation: { method: "dns-txt" },
        csr: readFileSync(csrFile, "utf8"),
        contact: contact(),
      },
    });
    expect(answer.status).toBe(422);
    const codes = answer.json.error.details.defects.map((defect: any) => defect.code);
    expect(codes).toContain("KEY_TOO_SMALL");
    expect(codes).toContain("NAME_MISSING");
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const after = (await customer.request("GET", "/v1/orders?limit=100")).json.orders.length;
    expect(after).toBe(before);
  });
});

describe("idempotency and tenancy", () => {
  it("answers the same order for the same Idempotency-Key, and 404 to another tenant on every route", async () => {
    const body = {
      domains: ["shop.certflow.test"],
      validation: { method: "dns-txt" },
      contact: contact(),
    };
    const first = await submit(body, { "Idempotency-Key": "order-42" });
    const again = await customer.request("POST", "/v1/orders", {
      body,
      headers: { "Idempotency-Key": "order-42" },
    });
    expect(again.json.id).toBe(first.id);
    const changed = await customer.request("POST", "/v1/orders", {
      body: { ...body, domains: ["www.shop.certflow.test"] },
      headers: { "Idempotency-Key": "order-42" },
    });
    expect(changed.status).toBe(409);
    const listed = (await customer.request("GET", "/v1/orders?limit=100")).json.orders.filter(
      (o: any) => o.id === first.id,
    );
    expect(listed).toHaveLength(1);

    for (const [method, path] of [
      ["GET", `/v1/orders/${first.id}`],
      ["GET", `/v1/orders/${first.id}/history`],
      ["POST", `/v1/orders/${first.id}/checks`],
      ["GET", `/v1/orders/${first.id}/certificate?format=pem`],
      ["POST", `/v1/orders/${first.id}/cancellation`],
    ] as const) {
      const answer = await otherTenant.request(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
    expect((await otherTenant.request("GET", "/v1/orders")).json.orders).toHaveLength(0);
    await customer.request("POST", `/v1/orders/${first.id}/cancellation`);
  });
});

describe("the execution history", () => {
  it("is visible to operators by the execution name on the order, and holds no secret", async () => {
    const leaks: string[] = [];
    for (const name of executionNames) {
      const answer = await operator.request("GET", `/v1/executions/${name}`);
      expect(answer.status).toBe(200);
      expect(answer.json.name).toBe(name);
      leaks.push(...findSecrets(JSON.stringify(answer.json), secrets));
    }
    const orderId = executionNames[0]?.replace(/-\d+$/, "") ?? "";
    const printed = execFileSync(
      process.execPath,
      [
        "bin/certflow.mjs",
        "executions",
        orderId,
        "--url",
        service.url,
        "--token",
        "operator-token",
      ],
      { encoding: "utf8" },
    );
    expect(printed).toContain(
      `Execution ${executionNames[0]} of order ${orderId} (ISSUED): SUCCEEDED`,
    );
    expect(printed).toMatch(/StateEntered WaitForCustomerToPublish/);
    expect(printed).toMatch(/StateEntered MarkOrderIssued/);
    leaks.push(...findSecrets(printed, secrets));
    const customerView = await customer.request("GET", `/v1/executions/${executionNames[0]}`);
    expect(customerView.status).toBe(403);
    const masterKey = readFileSync(join(service.dataDir, "master.key"), "utf8").trim();
    leaks.push(...findSecrets(service.output(), [...secrets, masterKey]));
    expect(leaks).toEqual([]);
  });
});
