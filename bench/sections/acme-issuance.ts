import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { startPebble } from "../../test/support/pebble.ts";
import { certbot, lego, type ReferenceClient } from "../acme-clients.ts";
import { formatMs, median, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";
import { orderCostFor } from "./order-workflow.ts";

export const name = "acme-issuance";
export const description =
  "a two-name http-01 order on one Pebble: the full local workflow (API → state machine → stored certificate) next to certbot and lego";

const TOKEN = "bench-acme-customer-token";

interface OrderView {
  readonly id: string;
  readonly status: string;
  readonly execution: { readonly name: string };
  readonly validations: readonly { readonly instructions: { url: string; content: string } }[];
  readonly failure?: { readonly code: string; readonly message: string };
}

async function api(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 400) {
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as OrderView;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<void> {
  const runs = runsFromEnv("BENCH_ACME_RUNS", 5);
  const pebble = await startPebble({ env: { PEBBLE_VA_NOSLEEP: "1", PEBBLE_AUTHZREUSE: "0" } });
  const work = mkdtempSync(join(tmpdir(), "certflow-bench-acme-"));
  const trustPath = join(work, "pebble-https.pem");
  writeFileSync(trustPath, pebble.httpsTrustPem);
  const results = new Map<string, number[]>();
  const transitions: number[] = [];
  try {
    // The customer's web server answers Pebble's http-01 requests (and the service's pre-check).
    const web = await startCustomerWebServer({ port: pebble.httpPort });
    const host = await startLocalHost(
      readLocalSettings({
        PORT: "0",
        CERTFLOW_DATA_DIR: join(work, "service"),
        CERTFLOW_API_TOKENS: `${TOKEN}:bench:customer`,
        CERTFLOW_CA: "acme",
        CERTFLOW_ACME_DIRECTORY_URL: pebble.directoryUrl,
        CERTFLOW_ACME_CA_CERTS: trustPath,
        CERTFLOW_ACME_CONTACT_EMAIL: "bench@certflow-bench.com",
        CERTFLOW_DNS_RESOLVER: pebble.dnsAddress,
        CERTFLOW_HTTP_VALIDATION_PORT: String(pebble.httpPort),
        CERTFLOW_CHECK_EARLY_SECONDS: "1",
        CERTFLOW_CHECK_LATE_SECONDS: "2",
      }),
      { fresh: true },
    );
    const workflowTimes: number[] = [];
    try {
      // One unmeasured order registers the ACME account, as any long-running service has.
      for (let index = -1; index < runs; index++) {
        const domains = [
          `wf${index + 1}.certflow-bench.com`,
          `www.wf${index + 1}.certflow-bench.com`,
        ];
        const started = performance.now();
        const order = await api(host.url, "POST", "/v1/orders", {
          domains,
          validation: { method: "http-file" },
          contact: { name: "Bench", email: "bench@certflow-bench.com" },
        });
        let published = false;
        for (;;) {
          const current = await api(host.url, "GET", `/v1/orders/${order.id}`);
          if (current.status === "ISSUED") break;
          if (current.status === "FAILED") {
            throw new Error(
              `bench order failed: ${current.failure?.code} ${current.failure?.message}`,
            );
          }
          if (!published && current.validations.length === domains.length) {
            for (const { instructions } of current.validations) {
              const url = new URL(instructions.url);
              web.publish(url.hostname, url.pathname, instructions.content);
            }
            published = true;
            await api(host.url, "POST", `/v1/orders/${order.id}/checks`);
            continue;
          }
          await pause(5);
        }
        const elapsed = performance.now() - started;
        const execution = await host.engine.waitForExecution(order.execution.name);
        if (index >= 0) {
          workflowTimes.push(elapsed);
          transitions.push(execution.transitions);
        }
      }
    } finally {
      await host.stop();
      await web.close();
    }
    results.set("certflow workflow", workflowTimes);

    // The reference clients listen on the http-01 port themselves.
    const server = {
      directoryUrl: pebble.directoryUrl,
      trustedCaCertsPath: trustPath,
      http01Port: pebble.httpPort,
    };
    const clients: readonly ReferenceClient[] = [certbot, lego];
    for (const client of clients) {
      if (spawnSync(client.name, ["--version"], { stdio: "ignore" }).error !== undefined) {
        console.log(
          `  ${client.name} is not installed (apt-get install ${client.name}); left out.`,
        );
        continue;
      }
      const times: number[] = [];
      let failures = 0;
      for (let index = 0; times.length < runs; index++) {
        try {
          times.push(
            await client.issue(server, [
              `${client.name}${index}.certflow-bench.com`,
              `www.${client.name}${index}.certflow-bench.com`,
            ]),
          );
        } catch (error) {
          // A failed run is reported and replaced, up to as many failures as runs.
          failures += 1;
          const reason = error instanceof Error ? error.message : String(error);
          console.log(
            `  ${client.name} run failed (${failures}): ${reason.split("\n").at(-2) ?? reason}`,
          );
          if (failures >= runs) throw error;
        }
      }
      results.set(client.name, times);
    }
  } finally {
    await pebble.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const workflowMedian = median(results.get("certflow workflow") ?? []);
  const certbotMedian = median(results.get("certbot") ?? []);
  const rows = [...results].map(([client, times]) => [
    client,
    formatMs(median(times)),
    `${formatMs(Math.min(...times))}–${formatMs(Math.max(...times))}`,
    client === "certflow workflow" ? "1.00" : (median(times) / workflowMedian).toFixed(2),
  ]);
  console.log(
    `Two-name http-01 order on Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0), ${runs} runs each:`,
  );
  console.log(formatTable(["client", "median", "range", "× workflow"], rows));
  if (results.has("certbot")) {
    const ratio = workflowMedian / certbotMedian;
    console.log(
      `Workflow / certbot: ${ratio.toFixed(2)} (target ≤ 0.50: ${ratio <= 0.5 ? "met" : "NOT met"}).`,
    );
  }
  // The same order on the embedded CA, published before the first check, as order-workflow runs it.
  const embedded = (await orderCostFor({ publishAfterSeconds: 0 })).transitions;
  const extra = median(transitions) - embedded;
  console.log(
    `State transitions per ACME order: median ${median(transitions)} (min ${Math.min(...transitions)}, max ${Math.max(...transitions)}); the embedded CA's happy path takes ${embedded}: ${extra >= 0 ? "+" : ""}${extra} (target: at most +3, ${extra <= 3 ? "ok" : "OVER"}).`,
  );
}
