import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { localServiceUrl, noServiceAnswers } from "../../functions/local/local-data-dir.ts";
import { readLocalToken } from "../../functions/local/local-token-file.ts";
import { type CustomerDnsServer, startCustomerDnsServer } from "./customer-dns-server.ts";
import { startCustomerWebServer } from "./customer-web-server.ts";

/**
 * `npm run demo`: plays a customer against the running local service. It runs the customer's
 * DNS server and web site itself, orders two certificates (one validated by an HTTP file, one by
 * a DNS TXT record), publishes what the service asks for, follows the orders to ISSUED, and
 * downloads the nginx and IIS bundles into ./demo-output.
 */
const dataDir = resolve(process.env.CERTFLOW_DATA_DIR ?? ".certflow");
const serviceUrl = localServiceUrl({ environment: process.env, dataDir });
const outputDir = resolve(process.env.CERTFLOW_DEMO_OUTPUT ?? "demo-output");

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

/**
 * The demo plays the customer's DNS server and web site on the ports the service checks; when
 * one is taken, says which setting of the service chose it and how to move both.
 */
function failOnPort(error: unknown, port: number, setting: string, example: string): never {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  if (code !== "EADDRINUSE" && code !== "EACCES") throw error;
  fail(
    `port ${port} (the service's ${setting}) is ${code === "EACCES" ? "not open to this user" : "in use"}. Free it, or restart the service with another, e.g. ${setting}=${example} npm start, then run the demo again.`,
  );
}

/** Private keys and pfx files: readable by their owner only, even when an earlier run left one. */
function writeSecretFile(path: string, content: Uint8Array): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

async function api(method: string, path: string, token: string, body?: unknown, headers = {}) {
  const response = await fetch(`${serviceUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => fail(noServiceAnswers(serviceUrl)));
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok)
    fail(`${method} ${path} answered ${response.status}: ${new TextDecoder().decode(bytes)}`);
  return bytes;
}

/**
 * The zone's two authoritative servers, on 127.0.0.2 and 127.0.0.3 at the port the service asks
 * them on, delegated from the demo's resolver, so the DNS order shows the propagation view. None
 * when those addresses cannot be listened on (macOS has no 127.0.0.2 unless aliased; port 53
 * needs root): the demo goes on without them.
 */
async function startAuthoritativeServers(
  resolver: CustomerDnsServer,
  zone: string,
  port: number,
): Promise<{ ns1: CustomerDnsServer; ns2: CustomerDnsServer } | undefined> {
  const started: CustomerDnsServer[] = [];
  try {
    for (const host of ["127.0.0.2", "127.0.0.3"]) {
      started.push(await startCustomerDnsServer({ host, port }));
    }
  } catch (error) {
    await Promise.all(started.map((server) => server.close()));
    const code = error instanceof Error && "code" in error ? String(error.code) : "error";
    console.log(
      `demo: no propagation view: cannot listen on 127.0.0.2 and 127.0.0.3 port ${port} (${code}); start the service with e.g. CERTFLOW_DNS_AUTHORITATIVE_PORT=8054 to see it.`,
    );
    return undefined;
  }
  const [ns1, ns2] = started;
  if (ns1 === undefined || ns2 === undefined) return undefined;
  resolver.setNs(zone, [`ns1.${zone}`, `ns2.${zone}`]);
  resolver.setA(`ns1.${zone}`, "127.0.0.2");
  resolver.setA(`ns2.${zone}`, "127.0.0.3");
  console.log(
    `demo: ${zone} is served by ns1.${zone} (127.0.0.2) and ns2.${zone} (127.0.0.3), port ${port}`,
  );
  return { ns1, ns2 };
}

/** "Verify now"; when the order was checked a moment ago, again after the Retry-After it gets. */
async function pressVerifyNow(orderId: string, token: string) {
  for (;;) {
    const response = await fetch(`${serviceUrl}/v1/orders/${orderId}/checks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    }).catch(() => fail(noServiceAnswers(serviceUrl)));
    const text = await response.text();
    if (response.status === 429) {
      const seconds = Number(response.headers.get("retry-after") ?? "1");
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, seconds) * 1000));
      continue;
    }
    if (!response.ok)
      fail(`POST /v1/orders/${orderId}/checks answered ${response.status}: ${text}`);
    return JSON.parse(text) as {
      results: { domain: string; ok: boolean; cause?: string; detail?: string }[];
    };
  }
}

interface ValidationView {
  domain: string;
  status: string;
  lastCheck?: { ok: boolean; cause?: string };
  instructions:
    | { method: "http-file"; url: string; content: string }
    | { method: "dns-txt" | "dns-cname"; host: string; value: string };
}

interface OrderView {
  id: string;
  status: string;
  validations: ValidationView[];
  execution: { name: string };
}

// The service's answers, read as the shapes the README documents.
const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
const orderOf = (bytes: Uint8Array) => json(bytes) as OrderView;

async function main() {
  const token = process.env.CERTFLOW_TOKEN ?? readLocalToken(dataDir, "customer");
  if (token === undefined) {
    fail("set CERTFLOW_TOKEN to a customer token (npm start prints one).");
  }
  const info = json(await api("GET", "/v1/service-info", token));
  const resolver = /^127\.0\.0\.1:(\d+)$/.exec(String(info.dnsResolver ?? ""))?.[1];
  if (resolver === undefined) {
    fail(
      "the service checks DNS through the system resolver, which the demo cannot publish to.\n" +
        "Start it with the demo's DNS server and web port:\n" +
        "  CERTFLOW_DNS_RESOLVER=127.0.0.1:8053 CERTFLOW_HTTP_VALIDATION_PORT=8080 npm start",
    );
  }
  const dns = await startCustomerDnsServer({ port: Number(resolver) }).catch((error: unknown) =>
    failOnPort(
      error,
      Number(resolver),
      "CERTFLOW_DNS_RESOLVER",
      `127.0.0.1:${Number(resolver) + 1}`,
    ),
  );
  const web = await startCustomerWebServer({ port: Number(info.httpValidationPort) }).catch(
    (error: unknown) =>
      failOnPort(
        error,
        Number(info.httpValidationPort),
        "CERTFLOW_HTTP_VALIDATION_PORT",
        String(Number(info.httpValidationPort) + 1),
      ),
  );
  console.log(
    `demo: customer DNS on 127.0.0.1:${resolver}, web site on 127.0.0.1:${info.httpValidationPort}`,
  );
  const names = ["demo.certflow.test", "www.demo.certflow.test", "api.demo.certflow.test"];
  for (const name of names) dns.setA(name, "127.0.0.1");
  const authoritative = await startAuthoritativeServers(
    dns,
    "demo.certflow.test",
    Number(info.dnsAuthoritativePort ?? 53),
  );

  const contact = { name: "Demo Customer", email: "demo@certflow.test" };
  const httpOrder = orderOf(
    await api("POST", "/v1/orders", token, {
      domains: ["demo.certflow.test", "www.demo.certflow.test"],
      validation: { method: "http-file" },
      contact,
    }),
  );
  const dnsOrder = orderOf(
    await api("POST", "/v1/orders", token, {
      domains: ["api.demo.certflow.test"],
      validation: { method: "dns-txt" },
      key: { type: "RSA-2048" },
      contact,
    }),
  );
  console.log(`demo: ordered ${httpOrder.id} (http-file) and ${dnsOrder.id} (dns-txt)`);

  const published = new Set<string>();
  const lastLine = new Map<string, string>();
  const started = Date.now();
  for (;;) {
    const orders = [httpOrder.id, dnsOrder.id].map(async (id: string) =>
      orderOf(await api("GET", `/v1/orders/${id}`, token)),
    );
    const current = await Promise.all(orders);
    for (const order of current) {
      const checks = order.validations
        .map(
          (v: ValidationView) =>
            `${v.domain}=${v.lastCheck ? (v.lastCheck.ok ? "ok" : v.lastCheck.cause) : v.status}`,
        )
        .join(", ");
      const line = `${order.id}: ${order.status}${checks ? ` (${checks})` : ""}`;
      if (lastLine.get(order.id) !== line) {
        console.log(`demo: ${line}`);
        lastLine.set(order.id, line);
      }
      if (order.status !== "PENDING_VALIDATION" || published.has(order.id)) continue;
      for (const validation of order.validations) {
        const instructions = validation.instructions;
        if (instructions.method === "http-file") {
          const url = new URL(instructions.url);
          web.publish(url.hostname, url.pathname, instructions.content);
          console.log(`demo: published ${instructions.url}`);
        } else if (authoritative !== undefined) {
          // The record reaches one authoritative server first: the check names which.
          dns.setTxt(instructions.host, [instructions.value]);
          authoritative.ns1.setTxt(instructions.host, [instructions.value]);
          console.log(`demo: published TXT ${instructions.host} on ns1 only`);
          for (const result of (await pressVerifyNow(order.id, token)).results) {
            if (!result.ok)
              console.log(`demo: ${result.domain}: ${result.cause}: ${result.detail}`);
          }
          authoritative.ns2.setTxt(instructions.host, [instructions.value]);
          console.log(`demo: published TXT ${instructions.host} on ns2 too`);
        } else {
          dns.setTxt(instructions.host, [instructions.value]);
          console.log(`demo: published TXT ${instructions.host}`);
        }
      }
      published.add(order.id);
      await pressVerifyNow(order.id, token);
    }
    if (current.every((order) => ["ISSUED", "FAILED", "CANCELLED"].includes(order.status))) {
      if (current.some((order) => order.status !== "ISSUED"))
        fail("an order did not issue; see above.");
      break;
    }
    if (Date.now() - started > 120_000) fail("the orders did not issue within 2 minutes.");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  mkdirSync(outputDir, { recursive: true });
  writeFileSync(join(outputDir, "root.pem"), await api("GET", "/v1/ca/root.pem", token));
  const nginx = unzipSync(
    await api("GET", `/v1/orders/${httpOrder.id}/certificate?format=nginx`, token),
  );
  for (const [name, content] of Object.entries(nginx)) {
    const holdsKey = new TextDecoder().decode(content).includes("PRIVATE KEY");
    if (holdsKey) writeSecretFile(join(outputDir, name), content);
    else writeFileSync(join(outputDir, name), content);
  }
  const password = randomBytes(9).toString("base64url");
  writeSecretFile(
    join(outputDir, "api.demo.certflow.test.pfx"),
    await api("GET", `/v1/orders/${dnsOrder.id}/certificate?format=iis`, token, undefined, {
      "X-Pfx-Password": password,
    }),
  );
  await web.close();
  await dns.close();
  await authoritative?.ns1.close();
  await authoritative?.ns2.close();
  console.log(
    [
      "",
      `demo: both certificates issued; files are in ${outputDir}:`,
      ...Object.keys(nginx).map((name) => `  ${name}`),
      "  api.demo.certflow.test.pfx (IIS)",
      "  root.pem (the embedded CA's root)",
      "",
      "Inspect them:",
      `  npx certflow inspect ${join(outputDir, "demo.certflow.test.fullchain.pem")}`,
      `  npx certflow inspect ${join(outputDir, "api.demo.certflow.test.pfx")} --password ${password}`,
      `  openssl verify -CAfile ${join(outputDir, "root.pem")} -untrusted ${join(outputDir, "demo.certflow.test.fullchain.pem")} ${join(outputDir, "demo.certflow.test.fullchain.pem")}`,
      `  openssl pkcs12 -in ${join(outputDir, "api.demo.certflow.test.pfx")} -info -nokeys -passin pass:${password}`,
      `  curl -s ${serviceUrl}/v1/orders/${dnsOrder.id} -H "Authorization: Bearer <customer token>"   # lastCheck.servers: each authoritative server's answer`,
      `  curl -s ${serviceUrl}/v1/executions/${httpOrder.execution.name} -H "Authorization: Bearer <operator token>"`,
    ].join("\n"),
  );
}

await main();
