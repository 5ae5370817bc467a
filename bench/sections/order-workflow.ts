import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { CheckOutcome, DcvChecker } from "../../functions/ports/dcv-checker.ts";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";

export const name = "order-workflow";
export const description =
  "state transitions per order (happy path, publish after 6 h, 24 h timeout) and POST-to-ISSUED time on the embedded CA";

const TOKEN = "bench-customer-token";
const HOUR = 3600;

function settingsFor(dataDir: string, extra: Record<string, string> = {}) {
  return readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: dataDir,
    CERTFLOW_API_TOKENS: `${TOKEN}:bench:customer`,
    ...extra,
  });
}

async function submit(url: string, domains: string[]) {
  const response = await fetch(`${url}/v1/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      domains,
      validation: { method: "dns-txt" },
      contact: { name: "Bench", email: "bench@certflow.test" },
    }),
  });
  if (response.status !== 202)
    throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; execution: { name: string } };
}

async function getOrder(url: string, id: string) {
  const response = await fetch(`${url}/v1/orders/${id}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return (await response.json()) as {
    status: string;
    validations: { instructions: { host: string; value: string } }[];
  };
}

/** State transitions of one order when the customer publishes `publishAfterSeconds` in (simulated time). */
async function transitionsFor(
  publishAfterSeconds: number | undefined,
): Promise<{ transitions: number; status: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "certflow-bench-"));
  const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
  const started = clock.now().getTime();
  const dcv: DcvChecker = {
    async check(): Promise<CheckOutcome> {
      const elapsed = (clock.now().getTime() - started) / 1000;
      return publishAfterSeconds !== undefined && elapsed >= publishAfterSeconds
        ? { ok: true }
        : { ok: false, cause: "NO_RECORD", detail: "not published yet" };
    },
  };
  const host = await startLocalHost(settingsFor(dataDir), {
    fresh: true,
    clock,
    dcv,
    timeMode: { kind: "simulated", advance: (seconds) => clock.advance(seconds) },
  });
  try {
    const order = await submit(host.url, ["bench.certflow.test"]);
    const execution = await host.engine.waitForExecution(order.execution.name);
    return {
      transitions: execution.transitions,
      status: (await getOrder(host.url, order.id)).status,
    };
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Wall time from POST to ISSUED on the embedded CA, the customer publishing at once. */
async function timeToIssued(runs: number): Promise<number[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "certflow-bench-"));
  const dns = await startCustomerDnsServer();
  const host = await startLocalHost(
    settingsFor(dataDir, {
      CERTFLOW_DNS_RESOLVER: dns.address,
      CERTFLOW_CHECK_EARLY_SECONDS: "1",
      CERTFLOW_CHECK_LATE_SECONDS: "2",
    }),
    { fresh: true },
  );
  const timings: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const domain = `run${run}.bench.certflow.test`;
      const startedAt = performance.now();
      const order = await submit(host.url, [domain]);
      let published = false;
      for (;;) {
        const current = await getOrder(host.url, order.id);
        if (current.status === "ISSUED") break;
        if (current.status === "FAILED") throw new Error(`bench order ${order.id} failed`);
        const instructions = current.validations[0]?.instructions;
        if (!published && instructions !== undefined) {
          dns.setTxt(instructions.host, [instructions.value]);
          published = true;
          await fetch(`${host.url}/v1/orders/${order.id}/checks`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}` },
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      timings.push(performance.now() - startedAt);
      await host.engine.waitForExecution(order.execution.name);
    }
  } finally {
    await host.stop();
    await dns.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return timings;
}

export async function run(): Promise<void> {
  console.log("State transitions per order (AWS bills standard workflows per state entered):");
  const scenarios: [string, number | undefined][] = [
    ["published before the first check", 0],
    ["published after 6 hours", 6 * HOUR],
    ["never published (24 h timeout)", undefined],
  ];
  for (const [label, publishAfter] of scenarios) {
    const { transitions, status } = await transitionsFor(publishAfter);
    console.log(
      `  ${label.padEnd(36)} ${String(transitions).padStart(4)} transitions, ends ${status}`,
    );
  }
  const runs = Number(process.env.BENCH_WORKFLOW_RUNS ?? 5);
  const timings = await timeToIssued(runs);
  console.log(
    `POST to ISSUED on the embedded CA (customer publishes at once, ${runs} runs): median ${median(timings).toFixed(0)} ms, min ${Math.min(...timings).toFixed(0)} ms, max ${Math.max(...timings).toFixed(0)} ms`,
  );
}
