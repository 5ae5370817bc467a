import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalSerialHex } from "../../functions/pki/serial-numbers.ts";
import { MAILS_FOLDER } from "../../infra/local/captured-mails.ts";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { LOCAL_BUCKET_NAME } from "../../infra/local/emulators.ts";
import {
  type LoadCustomer,
  type LoadPlan,
  type OrderOutcome,
  runCustomers,
  type SubmittedOrder,
  waitForOutcomes,
} from "../load-customers.ts";
import { freePort, type ServiceProcess, startServiceProcess } from "../service-process.ts";
import { formatMs, quantile, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "load";
export const description =
  "1,000 http-file orders from 50 customers of 50 tenants against `npm start` (embedded CA), then the same with the service SIGKILLed a third of the way and restarted (targets: ≥ 20 issued/s, POST p99 ≤ 250 ms, none lost or failed, ≤ 1 GB, one certificate each)";

const TARGET_ISSUED_PER_SECOND = 20;
const TARGET_SUBMIT_P99_MS = 250;
const TARGET_RSS_BYTES = 1024 ** 3;
const RSS_SAMPLE_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunFigures {
  readonly label: string;
  readonly wallSeconds: number;
  readonly issued: number;
  readonly failed: number;
  readonly lost: number;
  readonly overallPerSecond: number;
  readonly middlePerSecond: number;
  readonly submitMs: { p50: number; p95: number; p99: number };
  readonly peakRssBytes: number;
  /** The service's CPU time per issued order, all threads and its main thread alone. */
  readonly cpuMsPerOrder: { readonly total: number; readonly mainThread: number };
  readonly certificateCounts: string;
  readonly notes: string[];
}

function customersOf(count: number): LoadCustomer[] {
  return Array.from({ length: count }, (_, index) => ({
    token: `load-customer-${index}-${"x".repeat(8)}`,
    tenant: `load-tenant-${index}`,
    index,
  }));
}

function serviceEnvironment(dataDir: string, port: number, customers: readonly LoadCustomer[]) {
  return (dns: string, webPort: number): Record<string, string> => ({
    PORT: String(port),
    CERTFLOW_DATA_DIR: dataDir,
    CERTFLOW_API_TOKENS: customers
      .map((customer) => `${customer.token}:${customer.tenant}:customer`)
      .join(","),
    CERTFLOW_DNS_RESOLVER: dns,
    CERTFLOW_HTTP_VALIDATION_PORT: String(webPort),
    // 50 customers of one bench may each submit far more than a person would in a minute.
    CERTFLOW_SUBMISSIONS_PER_MINUTE: "100000",
  });
}

/**
 * Node options for the service: BENCH_LOAD_CPU_PROF=<dir> writes a CPU profile of each start
 * (of each thread), BENCH_LOAD_NODE_OPTIONS adds others (space-separated).
 */
function nodeOptions(): string[] {
  const profileDir = process.env.BENCH_LOAD_CPU_PROF;
  const extra = (process.env.BENCH_LOAD_NODE_OPTIONS ?? "").split(" ").filter((option) => option);
  return profileDir === undefined || profileDir === ""
    ? extra
    : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...extra];
}

/**
 * The service's peak RSS and the CPU it used after `baseline` (its start), sampled every
 * RSS_SAMPLE_MS: a killed service's CPU is counted up to its last sample.
 */
function sampleService(service: () => ServiceProcess | undefined) {
  let peak = 0;
  const cpu = new Map<ServiceProcess, { total: number; mainThread: number }>();
  const sample = () => {
    const current = service();
    if (current === undefined) return;
    peak = Math.max(peak, current.rssBytes());
    const used = current.cpuSeconds();
    if (used.total > 0) cpu.set(current, used);
  };
  const first = service();
  const baseline = first?.cpuSeconds() ?? { total: 0, mainThread: 0 };
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return {
    peak: () => peak,
    cpuSeconds: () => {
      sample();
      let total = -baseline.total;
      let mainThread = -baseline.mainThread;
      for (const used of cpu.values()) {
        total += used.total;
        mainThread += used.mainThread;
      }
      return { total, mainThread };
    },
    stop: () => clearInterval(timer),
  };
}

/** Serial of the certificate the vault holds for the order (s3rver's files in the data dir). */
function storedSerial(dataDir: string, orderId: string): string | undefined {
  const file = join(
    dataDir,
    "s3",
    LOCAL_BUCKET_NAME,
    "certificates",
    orderId,
    "certificate.pem._S3rver_object",
  );
  if (!existsSync(file)) return undefined;
  return normalSerialHex(new X509Certificate(readFileSync(file)).serialNumber);
}

/** "Certificate issued" mails per name, from the copies the service keeps in its data dir. */
function issuedMailsByName(dataDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const folder = join(dataDir, MAILS_FOLDER);
  if (!existsSync(folder)) return counts;
  for (const file of readdirSync(folder)) {
    const subject = /^Subject: Certificate issued for (\S+)$/m.exec(
      readFileSync(join(folder, file), "utf8"),
    )?.[1];
    if (subject !== undefined) counts.set(subject, (counts.get(subject) ?? 0) + 1);
  }
  return counts;
}

/** Issued per second between the 10th and the 90th percentile of the issue times. */
function middleRate(issuedAt: readonly number[]): number {
  if (issuedAt.length < 10) return Number.NaN;
  const sorted = [...issuedAt].sort((a, b) => a - b);
  const from = sorted[Math.floor(sorted.length * 0.1)] ?? 0;
  const to = sorted[Math.floor(sorted.length * 0.9)] ?? 0;
  const count = Math.floor(sorted.length * 0.9) - Math.floor(sorted.length * 0.1);
  return to > from ? count / ((to - from) / 1000) : Number.NaN;
}

interface Checks {
  readonly certificateCounts: string;
  readonly notes: string[];
}

/** One certificate per order, in the API's lineage and in the vault, and the issued mails. */
function checkCertificatesAndMails(
  dataDir: string,
  orders: readonly SubmittedOrder[],
  outcomes: ReadonlyMap<string, OrderOutcome>,
  killedAt: number | undefined,
): Checks {
  const notes: string[] = [];
  const perOrder = new Map<number, number>();
  const seenSerials = new Set<string>();
  const mails = issuedMailsByName(dataDir);
  let mismatched = 0;
  let sharedSerials = 0;
  let noMail = 0;
  let duplicateMailInFlight = 0;
  let duplicateMailOther = 0;
  for (const order of orders) {
    const outcome = outcomes.get(order.orderId);
    if (outcome?.status !== "ISSUED") continue;
    perOrder.set(outcome.serials.length, (perOrder.get(outcome.serials.length) ?? 0) + 1);
    const apiSerial = outcome.serials[0] === undefined ? "" : normalSerialHex(outcome.serials[0]);
    if (storedSerial(dataDir, order.orderId) !== apiSerial) mismatched += 1;
    if (seenSerials.has(apiSerial)) sharedSerials += 1;
    seenSerials.add(apiSerial);
    const mailCount = mails.get(order.domain) ?? 0;
    if (mailCount === 0) noMail += 1;
    if (mailCount > 1) {
      // In flight: its execution had not noted the mail sent when the service was killed.
      const inFlight =
        killedAt !== undefined &&
        (outcome.issuedMailNotedAt === undefined || outcome.issuedMailNotedAt >= killedAt);
      if (inFlight && mailCount === 2) duplicateMailInFlight += 1;
      else duplicateMailOther += 1;
    }
  }
  notes.push(
    `vault's certificate = API's serial: ${mismatched === 0 ? "every order" : `${mismatched} differ`}; serials shared between orders: ${sharedSerials}`,
  );
  notes.push(
    `"Certificate issued" mails: ${noMail} orders got none, ${duplicateMailInFlight} in flight at the kill got one duplicate, ${duplicateMailOther} got more than allowed (a second mail without being in flight, or a third)`,
  );
  const certificateCounts = [...perOrder]
    .sort(([a], [b]) => a - b)
    .map(([count, orderCount]) => `${orderCount} × ${count}`)
    .join(", ");
  return { certificateCounts: certificateCounts || "none issued", notes };
}

/** Starts the service; a start that fails is noted with what the service said, and tried again once. */
async function startOrSayWhy(
  environment: Record<string, string>,
  notes: string[],
): Promise<ServiceProcess> {
  try {
    return await startServiceProcess(environment, nodeOptions());
  } catch (error) {
    const said = error instanceof Error ? error.message : String(error);
    notes.push(`a start FAILED, tried again: ${said.split("\n").slice(0, 30).join("\n  ")}`);
    return startServiceProcess(environment, nodeOptions());
  }
}

async function loadRun(options: {
  label: string;
  orders: number;
  customers: number;
  killAfterSubmitted?: number;
}): Promise<RunFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), "certflow-bench-load-"));
  const dns = await startCustomerDnsServer();
  const web = await startCustomerWebServer();
  const customers = customersOf(options.customers);
  const port = await freePort();
  const environment = serviceEnvironment(dataDir, port, customers)(dns.address, web.port);
  const notes: string[] = [];
  let service: ServiceProcess | undefined = await startOrSayWhy(environment, notes);
  const url = service.url;
  const sampled = sampleService(() => service);
  let killedAt: number | undefined;
  let restarted: Promise<void> | undefined;
  const started = performance.now();
  const startedAtClock = Date.now();
  try {
    const plan: LoadPlan = {
      url: () => url,
      customers,
      ordersPerCustomer: Math.ceil(options.orders / options.customers),
      runLabel: options.label,
      dns,
      web,
      onSubmitted: (count) => {
        if (options.killAfterSubmitted === undefined || restarted !== undefined) return;
        if (count < options.killAfterSubmitted) return;
        restarted = (async () => {
          const killed = service;
          service = undefined;
          killedAt = Date.now();
          await killed?.kill();
          const downFor = performance.now();
          service = await startOrSayWhy(environment, notes);
          notes.push(
            `SIGKILL after ${count} orders submitted; restarted, orders in flight resumed and ready in ${((performance.now() - downFor) / 1000).toFixed(1)} s (it answers from before its resume)`,
          );
        })();
      },
    };
    const record = await runCustomers(plan);
    await restarted;
    const outcomes = await waitForOutcomes(
      plan,
      record.submitted,
      Math.max(300_000, options.orders * 1000),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = sampled.cpuSeconds();
    const values = [...outcomes.values()];
    const issuedAt = values
      .filter((outcome) => outcome.status === "ISSUED" && outcome.issuedAt !== undefined)
      .map((outcome) => outcome.issuedAt ?? 0);
    const issued = values.filter((outcome) => outcome.status === "ISSUED").length;
    const failed = values.filter((outcome) => outcome.status === "FAILED").length;
    const lastIssued = Math.max(...issuedAt);
    const checks = checkCertificatesAndMails(dataDir, record.submitted, outcomes, killedAt);
    if (record.retriedSubmissions > 0) {
      notes.push(
        `${record.retriedSubmissions} submissions got no answer (or a 5xx) and were sent again with their Idempotency-Key`,
      );
    }
    for (const refusal of record.refused.slice(0, 5)) notes.push(`not accepted: ${refusal}`);
    return {
      label: options.label,
      wallSeconds,
      issued,
      failed,
      lost: options.orders - record.submitted.length + (values.length - issued - failed),
      overallPerSecond: issued / ((lastIssued - startedAtClock) / 1000),
      middlePerSecond: middleRate(issuedAt),
      submitMs: {
        p50: quantile(record.submitLatencies, 0.5),
        p95: quantile(record.submitLatencies, 0.95),
        p99: quantile(record.submitLatencies, 0.99),
      },
      peakRssBytes: sampled.peak(),
      cpuMsPerOrder: {
        total: (cpu.total * 1000) / Math.max(1, issued),
        mainThread: (cpu.mainThread * 1000) / Math.max(1, issued),
      },
      certificateCounts: checks.certificateCounts,
      notes: [...notes, ...checks.notes],
    };
  } finally {
    sampled.stop();
    await restarted?.catch(() => undefined);
    await service?.stop();
    await sleep(100);
    await web.close();
    await dns.close();
    if (process.env.BENCH_LOAD_KEEP === "1")
      console.log(`${options.label}: data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

const ok = (pass: boolean) => (pass ? "ok" : "MISSED");

export async function run(): Promise<void> {
  const orders = runsFromEnv("BENCH_LOAD_ORDERS", 1000);
  const customers = Math.min(orders, runsFromEnv("BENCH_LOAD_CUSTOMERS", 50));
  console.log(
    `${orders} orders (one http-file name each) from ${customers} customers of ${customers} tenants, each submitting its orders one after the other, publishing the file and pressing "verify now" (BENCH_LOAD_ORDERS, BENCH_LOAD_CUSTOMERS). The service is \`node infra/local/main.ts\` in a child process; customers, their DNS and web server run in the bench's process on the same machine.`,
  );
  const runs = [await loadRun({ label: "steady", orders, customers })];
  // BENCH_LOAD_KILL=0 leaves the kill run out (profiling the steady run).
  if (process.env.BENCH_LOAD_KILL !== "0") {
    runs.push(
      await loadRun({
        label: "killed",
        orders,
        customers,
        killAfterSubmitted: Math.ceil(orders / 3),
      }),
    );
  }
  const rows = runs.map((figures) => [
    figures.label,
    `${figures.wallSeconds.toFixed(1)} s`,
    `${figures.issued}`,
    `${figures.failed} / ${figures.lost} ${ok(figures.failed === 0 && figures.lost === 0)}`,
    `${figures.overallPerSecond.toFixed(1)}`,
    `${figures.middlePerSecond.toFixed(1)} ${ok(figures.middlePerSecond >= TARGET_ISSUED_PER_SECOND)}`,
    `${formatMs(figures.submitMs.p50)} / ${formatMs(figures.submitMs.p95)}`,
    `${formatMs(figures.submitMs.p99)} ${ok(figures.submitMs.p99 <= TARGET_SUBMIT_P99_MS)}`,
    `${(figures.peakRssBytes / 1024 ** 2).toFixed(0)} MiB ${ok(figures.peakRssBytes <= TARGET_RSS_BYTES)}`,
    `${figures.cpuMsPerOrder.total.toFixed(0)} / ${figures.cpuMsPerOrder.mainThread.toFixed(0)} ms`,
    figures.certificateCounts,
  ]);
  console.log(
    formatTable(
      [
        "run",
        "total",
        "issued",
        "failed / lost (0)",
        "issued/s overall",
        `issued/s 10-90 % (≥ ${TARGET_ISSUED_PER_SECOND})`,
        "POST p50 / p95",
        `POST p99 (≤ ${TARGET_SUBMIT_P99_MS} ms)`,
        "peak RSS (≤ 1 GiB)",
        "CPU/order (main thread)",
        "orders × certificates",
      ],
      rows,
    ),
  );
  console.log(
    "issued/s overall: issued orders over the time from the first submission to the last ISSUED; 10-90 %: the orders issued between the 10th and the 90th percentile of the issue times over that span (the sustained rate). Peak RSS: the service's process group, sampled every 250 ms from /proc. CPU/order: the service's CPU time after its first start (all threads, and its main thread, where steps and routes run) over the orders issued.",
  );
  for (const figures of runs) {
    for (const note of figures.notes) console.log(`${figures.label}: ${note}`);
  }
}
