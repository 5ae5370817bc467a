import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDynamoDbOrderStore } from "../../functions/adapters/aws/dynamodb-order-store.ts";
import { toOrderItem } from "../../functions/adapters/aws/order-item.ts";
import {
  createOrderTableInput,
  RENEWAL_LOOKBACK_MONTHS,
  RENEWAL_SHARDS,
  renewalMonths,
} from "../../functions/adapters/aws/order-table-design.ts";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { OrderRecord } from "../../functions/domain/order-record.ts";
import {
  RENEWAL_RUN_LIMIT,
  RENEWAL_STARTS_PER_SECOND,
  runRenewals,
} from "../../functions/orders/renewal-run.ts";
import type { RenewalDeps } from "../../functions/orders/renewals.ts";
import type { Mailer } from "../../functions/ports/mailer.ts";
import { ExecutionAlreadyExists } from "../../functions/ports/workflow-engine.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../functions/workflow/workflow-settings.ts";
import { LOCAL_TABLE_NAME } from "../../infra/local/emulators.ts";
import { startEmulatorThread } from "../emulator-thread.ts";
import { formatMs, median, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "renewal-scan";
export const description =
  "the daily renewal run over 100,000 issued orders (1,000 due) on the DynamoDB emulator: items the renewal index reads, scan time, and two racing runs starting each renewal once (targets: ≤ 1,100 items, < 5 s, exactly 1,000 renewals and executions)";

const ORDERS = 100_000;
const DUE = 1_000;
/** The run's time: the daily schedule's hour (03:00 UTC). */
const NOW = new Date("2027-03-15T03:00:00.000Z");
const DAY_MS = 86_400_000;
/** Certificates issued before 2027-03-15 live 200 days and renew after two thirds of it. */
const VALIDITY_DAYS = 200;
const RENEWAL_CYCLE_DAYS = 133;
/** Due orders are overdue by up to this many days (a run missed, a renewal retried). */
const OVERDUE_DAYS = 20;
const TENANTS = 200;
/** Bumped when the generated orders change; the table design and item shape key the cache too. */
const FORMAT_VERSION = 1;
const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CACHE_ROOT = join(PROJECT_ROOT, "node_modules", ".cache", "certflow-bench", "renewal-scan");

const hex = (text: string) => createHash("sha256").update(text).digest("hex");

/** Order `index` of the loaded table: every 100th is due at NOW, the rest within one cycle after. */
function benchOrder(index: number): OrderRecord {
  const digest = hex(`certflow-bench-renewal-scan#${index}`);
  const orderId = `ord_${digest.slice(0, 20)}`;
  const due = index % (ORDERS / DUE) === 0;
  const renewAt = due
    ? NOW.getTime() - 60_000 - Math.floor(((index / (ORDERS / DUE)) * OVERDUE_DAYS * DAY_MS) / DUE)
    : NOW.getTime() +
      60_000 +
      Math.floor(((index * 0.618_033_988_7) % 1) * RENEWAL_CYCLE_DAYS * DAY_MS);
  const notBefore = renewAt - Math.floor((VALIDITY_DAYS * DAY_MS * 2) / 3);
  const notAfter = notBefore + VALIDITY_DAYS * DAY_MS;
  const createdAt = new Date(notBefore - 3_600_000).toISOString();
  const issuedAt = new Date(notBefore).toISOString();
  const site = `site${index}.bench.certflow.test`;
  const names = index % 3 === 0 ? [site] : [site, `www.${site}`];
  const fingerprint = digest.slice(0, 64).toUpperCase().match(/../g)?.join(":");
  return {
    orderId,
    tenantId: `tenant-${String(index % TENANTS).padStart(4, "0")}`,
    status: "ISSUED",
    version: 7,
    product: "DV",
    names: names.map((ascii) => ({ ascii, display: ascii, wildcard: false })),
    method: "dns-txt",
    keySource: { kind: "generated", keyType: "EC-P256" },
    contact: { name: "Bench Customer", email: `ops@${site}` },
    validityDays: VALIDITY_DAYS,
    createdAt,
    updatedAt: issuedAt,
    validations: names.map((domain) => ({
      domain,
      method: "dns-txt",
      status: "valid",
      instructions: {
        method: "dns-txt",
        recordType: "TXT",
        host: `_certflow-challenge.${domain}`,
        value: hex(`value#${domain}`).slice(0, 43),
      },
      lastCheck: { at: createdAt, ok: true },
    })),
    validationDeadline: new Date(notBefore + DAY_MS).toISOString(),
    caOrderRef: `embedded:${orderId}`,
    certificate: {
      serialNumber: digest.slice(20, 52).toUpperCase(),
      notBefore: issuedAt,
      notAfter: new Date(notAfter).toISOString(),
      sha256Fingerprint: fingerprint ?? "",
      renewAt: new Date(renewAt).toISOString(),
    },
    executionName: `${orderId}-1`,
    warnings: [],
  };
}

/** The cache key: the format, the table design and the stored item shape. */
function cacheKey(): string {
  const shape = JSON.stringify([
    FORMAT_VERSION,
    ORDERS,
    DUE,
    NOW.toISOString(),
    createOrderTableInput(LOCAL_TABLE_NAME),
    toOrderItem(benchOrder(0)),
    toOrderItem(benchOrder(1)),
  ]);
  return `v${FORMAT_VERSION}-${hex(shape).slice(0, 12)}`;
}

interface LoadedMarker {
  readonly orders: number;
  readonly due: number;
  readonly loadSeconds: number;
}

async function batchWrite(
  documents: DynamoDBDocumentClient,
  items: Record<string, unknown>[],
): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    const answer = await documents.send(
      new BatchWriteCommand({ RequestItems: { [LOCAL_TABLE_NAME]: requests } }),
    );
    requests = (answer.UnprocessedItems?.[LOCAL_TABLE_NAME] ?? []) as typeof requests;
    if (attempt > 10) throw new Error("BatchWriteItem left items unprocessed 10 times.");
  }
}

/** Loads the orders into a fresh emulator under `dataDir` (25 per BatchWriteItem). */
async function loadOrders(dataDir: string): Promise<void> {
  const emulators = await startEmulatorThread({ dataDir, fresh: true });
  try {
    const documents = DynamoDBDocumentClient.from(emulators.client);
    let next = 0;
    const writer = async () => {
      for (;;) {
        const start = next;
        if (start >= ORDERS) return;
        next = Math.min(ORDERS, start + 25);
        const items: Record<string, unknown>[] = [];
        for (let index = start; index < next; index++) items.push(toOrderItem(benchOrder(index)));
        await batchWrite(documents, items);
      }
    };
    await Promise.all(Array.from({ length: 4 }, writer));
  } finally {
    await emulators.stop();
  }
}

/** The loaded emulator data: reused from the cache when complete, loaded into it otherwise. */
async function loadedData(): Promise<{ dataDir: string; reused: boolean; loadSeconds: number }> {
  const key = cacheKey();
  const dataDir = join(CACHE_ROOT, key);
  const markerPath = join(dataDir, "loaded.json");
  if (existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, "utf8")) as LoadedMarker;
    return { dataDir, reused: true, loadSeconds: marker.loadSeconds };
  }
  mkdirSync(CACHE_ROOT, { recursive: true });
  // Older formats and interrupted loads go; a load completes in its own directory, then moves.
  for (const entry of readdirSync(CACHE_ROOT))
    rmSync(join(CACHE_ROOT, entry), { recursive: true, force: true });
  const loading = join(CACHE_ROOT, `${key}.loading-${process.pid}`);
  const started = performance.now();
  await loadOrders(loading);
  const loadSeconds = (performance.now() - started) / 1000;
  const marker: LoadedMarker = { orders: ORDERS, due: DUE, loadSeconds };
  writeFileSync(join(loading, "loaded.json"), `${JSON.stringify(marker)}\n`);
  renameSync(loading, dataDir);
  return { dataDir, reused: false, loadSeconds };
}

interface Tally {
  queries: number;
  itemsRead: number;
  scanned: number;
  calls: Map<string, number>;
  /** Milliseconds the calls took, by command. */
  ms: Map<string, number>;
}

const emptyTally = (): Tally => ({
  queries: 0,
  itemsRead: 0,
  scanned: 0,
  calls: new Map(),
  ms: new Map(),
});

/** Counts every call the client sends, and the items each Query returns. */
function tallyCalls(client: DynamoDBClient): { current: Tally } {
  const tally = { current: emptyTally() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const sent = performance.now();
      const result = await next(args);
      const took = performance.now() - sent;
      const command = context.commandName ?? "unknown";
      const { calls } = tally.current;
      calls.set(command, (calls.get(command) ?? 0) + 1);
      tally.current.ms.set(command, (tally.current.ms.get(command) ?? 0) + took);
      if (command === "QueryCommand") {
        const output = result.output as { Count?: number; ScannedCount?: number };
        tally.current.queries += 1;
        tally.current.itemsRead += output.Count ?? 0;
        tally.current.scanned += output.ScannedCount ?? 0;
      }
      return result;
    },
    { step: "initialize", name: "benchCallTally" },
  );
  return tally;
}

/** Step Functions as the renewal sees it: a name starts once, a repeat is refused. */
function recordingWorkflow() {
  const names = new Set<string>();
  let refused = 0;
  return {
    names,
    refused: () => refused,
    async startExecution(executionName: string) {
      if (names.has(executionName)) {
        refused += 1;
        throw new ExecutionAlreadyExists(`Execution ${executionName} already exists.`);
      }
      names.add(executionName);
    },
  };
}

/** The CSR copy of a same-key renewal: every order holds one. */
function csrVault() {
  const copies = new Map<string, string>();
  return {
    copies,
    async getCsr(orderId: string) {
      return (
        copies.get(orderId) ??
        `-----BEGIN CERTIFICATE REQUEST-----\n${orderId}\n-----END CERTIFICATE REQUEST-----\n`
      );
    },
    async putCsr(orderId: string, csrPem: string) {
      copies.set(orderId, csrPem);
    },
  };
}

const count = (value: number) => value.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** What the renewal index's design implies (order-table-design.ts), printed as one line. */
function indexArithmetic(): string {
  const months = renewalMonths(NOW, RENEWAL_LOOKBACK_MONTHS).length;
  const orders = 10_000_000;
  const averagePerDay = orders / RENEWAL_CYCLE_DAYS;
  const peakPerDay = averagePerDay * 10;
  const perSecond = peakPerDay / 86_400;
  const perPartition = perSecond / RENEWAL_SHARDS;
  return [
    `Renewal index: ${RENEWAL_SHARDS} shards per month (RENEWAL_SHARDS); ${months} months (${RENEWAL_LOOKBACK_MONTHS} of lookback and the current one) × ${RENEWAL_SHARDS} shards = ${months * RENEWAL_SHARDS} queries per scan, however few are due.`,
    `Max writes per index partition: ${count(orders)} orders / ${RENEWAL_CYCLE_DAYS}-day cycle × 10 (peak day) = ${count(Math.round(peakPerDay))} renewals a day = ${perSecond.toFixed(2)}/s, / ${RENEWAL_SHARDS} shards = ${perPartition.toFixed(2)} renewals/s per partition; each renewal writes the index in its due month twice (the claim, then the key's move at promotion) and once in its next month: ≤ ${(perPartition * 2).toFixed(2)} writes/s per partition (DynamoDB takes 1,000).`,
    `The run goes on until nothing is due, starting ${RENEWAL_STARTS_PER_SECOND} renewals a second (RENEWAL_STARTS_PER_SECOND): ${count(Math.round(averagePerDay))} renewals on an average day take ${(averagePerDay / RENEWAL_STARTS_PER_SECOND / 3600).toFixed(1)} h, a peak day ${(peakPerDay / RENEWAL_STARTS_PER_SECOND / 3600).toFixed(1)} h.`,
  ].join("\n");
}

export async function run(): Promise<void> {
  const data = await loadedData();
  console.log(
    `${count(ORDERS)} ISSUED orders (${count(DUE)} due at ${NOW.toISOString()}, the rest within ${RENEWAL_CYCLE_DAYS} days) ${data.reused ? `reused from ${data.dataDir} (loaded in ${data.loadSeconds.toFixed(1)} s by an earlier run)` : `loaded with BatchWriteItem in ${data.loadSeconds.toFixed(1)} s, kept in ${data.dataDir}`}.`,
  );
  // Each run works on a copy, so the renewals it starts leave the cached table as it was.
  const copyStarted = performance.now();
  const workDir = join(tmpdir(), `certflow-bench-renewal-scan-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  cpSync(join(data.dataDir, "dynamodb"), join(workDir, "dynamodb"), { recursive: true });
  const copyMs = performance.now() - copyStarted;
  const emulators = await startEmulatorThread({ dataDir: workDir });
  try {
    const tally = tallyCalls(emulators.client);
    const clock = fixedClock(NOW);
    const storeFor = () =>
      createDynamoDbOrderStore({
        client: emulators.client,
        tableName: emulators.tableName,
        clock,
      });

    const scans = runsFromEnv("BENCH_RENEWAL_SCANS", 3);
    const scanMs: number[] = [];
    let scanTally = emptyTally();
    let dueFound = 0;
    for (let scan = 0; scan < scans; scan++) {
      tally.current = emptyTally();
      const started = performance.now();
      const due = await storeFor().dueForRenewal(NOW.toISOString(), RENEWAL_RUN_LIMIT);
      scanMs.push(performance.now() - started);
      scanTally = tally.current;
      dueFound = due.length;
    }

    const workflow = recordingWorkflow();
    const vault = csrVault();
    const mailer: Mailer = { async send() {} };
    const depsFor = (): RenewalDeps & { mailer: Mailer } => ({
      store: storeFor(),
      workflow,
      vault,
      clock,
      settings: DEFAULT_WORKFLOW_SETTINGS,
      mailer,
    });
    tally.current = emptyTally();
    const racingStarted = performance.now();
    const runs = await Promise.all([runRenewals(depsFor(), NOW), runRenewals(depsFor(), NOW)]);
    const racingMs = performance.now() - racingStarted;
    const racingTally = tally.current;
    const started = runs.reduce((sum, counts) => sum + counts.started, 0);
    const running = runs.reduce((sum, counts) => sum + counts.running, 0);
    const skippedOrExpired = runs.reduce((sum, counts) => sum + counts.skipped + counts.expired, 0);

    // Each due order claimed once: one renewal attempt, in flight.
    tally.current = emptyTally();
    const after = await storeFor().dueForRenewal(NOW.toISOString(), RENEWAL_RUN_LIMIT);
    const claimedOnce = after.filter(
      (order) => order.renewal?.attempts === 1 && order.renewal.inFlight !== undefined,
    ).length;

    const expectedQueries = renewalMonths(NOW, RENEWAL_LOOKBACK_MONTHS).length * RENEWAL_SHARDS;
    const scanMedian = median(scanMs);
    const exactly = (label: string, measured: number, target: number, detail = "") => [
      label,
      `${count(measured)}${detail}`,
      `= ${count(target)}`,
      measured === target ? "ok" : measured > target ? "OVER" : "UNDER",
    ];
    console.log(
      formatTable(
        ["figure", "measured", "target", ""],
        [
          [
            "items read by a scan (Query Count)",
            count(scanTally.itemsRead),
            "≤ 1,100",
            scanTally.itemsRead <= 1_100 ? "ok" : "OVER",
          ],
          [
            `scan time (median of ${scans})`,
            seconds(scanMedian),
            "< 5 s",
            scanMedian < 5_000 ? "ok" : "OVER",
          ],
          exactly("queries per scan", scanTally.queries, expectedQueries),
          exactly("due orders the scan found", dueFound, DUE),
          exactly(
            "renewals started (both runs)",
            started,
            DUE,
            ` (${runs.map((counts) => count(counts.started)).join(" + ")})`,
          ),
          exactly("executions started (distinct names)", workflow.names.size, DUE),
          exactly("due orders claimed once (1 attempt, in flight)", claimedOnce, DUE),
          exactly("due orders skipped or expired", skippedOrExpired, 0),
          ["found running by the other run", count(running), "", ""],
          ["repeated names refused (ExecutionAlreadyExists)", count(workflow.refused()), "", ""],
          ["two racing runs, wall time", seconds(racingMs), "", ""],
        ],
      ),
    );
    console.log(
      `Scans: ${scanMs.map((ms) => formatMs(ms)).join(", ")}; ${count(scanTally.scanned)} items scanned by DynamoDB per scan. DynamoDB calls of the two racing runs: ${[
        ...racingTally.calls.entries(),
      ]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([command, calls]) =>
            `${command.replace(/Command$/, "")} ${count(calls)} (${formatMs((racingTally.ms.get(command) ?? 0) / calls)} each)`,
        )
        .join(
          ", ",
        )} (${count(racingTally.itemsRead)} items read by their ${count(racingTally.queries)} queries).`,
    );
    console.log(`(copying the loaded table for this run took ${seconds(copyMs)})`);
    console.log(indexArithmetic());
  } finally {
    await emulators.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
