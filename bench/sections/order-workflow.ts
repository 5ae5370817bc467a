import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../functions/domain/clock.ts";
import type { CheckOutcome, DcvChecker } from "../../functions/ports/dcv-checker.ts";
import type { ExecutionEvent } from "../../functions/ports/workflow-engine.ts";
import { DEFAULT_MEMORY_MIB } from "../../infra/cdk/service-function.ts";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { readOrderDefinition } from "../../statemachines/order-definition.ts";
import { formatTable } from "../table.ts";

export const name = "order-workflow";
export const description =
  "state transitions and Step Functions + Lambda cost per order (published before the first check, after 6 h, never; approved by email; OV reviewed after a day) and POST-to-ISSUED time on the embedded CA (targets: ≤ 15, ≤ 25, ≤ 30 transitions)";

const TOKEN = "bench-customer-token";
const OPERATOR_TOKEN = "bench-operator-token";
const HOUR = 3600;

function settingsFor(dataDir: string, extra: Record<string, string> = {}) {
  return readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: dataDir,
    CERTFLOW_API_TOKENS: `${TOKEN}:bench:customer,${OPERATOR_TOKEN}:ops:operator`,
    ...extra,
  });
}

async function submit(
  url: string,
  domains: string[],
  method: "dns-txt" | "http-file",
  extra: Record<string, unknown> = {},
) {
  const response = await fetch(`${url}/v1/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      domains,
      validation: { method },
      contact: { name: "Bench", email: "bench@certflow.test" },
      ...extra,
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

/** us-east-1 list prices: Step Functions standard workflows, Lambda on arm64. */
const PRICES = {
  perTransition: 0.025 / 1000,
  perLambdaRequest: 0.2 / 1_000_000,
  perLambdaGbSecond: 0.0000133334,
};

const TARGETS: Record<string, number> = {
  "published before the first check": 15,
  "published after 6 hours": 25,
  "never published (24 h timeout)": 30,
};

/** A person acting during a wait, `afterSeconds` into it (simulated time). */
interface DuringWait {
  readonly afterSeconds: number;
  act(host: LocalHost, orderId: string): Promise<void>;
}

export interface Scenario {
  /** When the customer's record or file is there, from submission; never when undefined. */
  readonly publishAfterSeconds: number | undefined;
  /** More of the submission (another method, OV details). */
  readonly submission?: Record<string, unknown>;
  /** Done right after submitting (the OV letter's upload). */
  readonly afterSubmit?: (host: LocalHost, orderId: string) => Promise<void>;
  readonly during?: DuringWait;
}

async function call(host: LocalHost, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

/** The approver opens the link in the mail (read from the SES emulator) and approves. */
async function approveByEmail(host: LocalHost): Promise<void> {
  const store = (await fetch(`${host.emulators.ses.endpoint}/store`).then((r) => r.json())) as {
    emails: { body: { text: string } }[];
  };
  const secret = store.emails
    .map((mail) => /\/v1\/approvals\/([A-Za-z0-9_-]{43})/.exec(mail.body.text)?.[1])
    .find((found) => found !== undefined);
  if (secret === undefined) throw new Error("no approval mail");
  const response = await fetch(`${host.url}/v1/approvals/${secret}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ decision: "approve" }),
  });
  if (!response.ok) throw new Error(`approval answered ${response.status}`);
}

/** The smallest valid PNG: the signed letter of an OV order. */
function letterPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const [width, height] = [620, 877];
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  // A blank grey page: each row is a filter byte and one byte per pixel.
  const rows = Buffer.alloc((width + 1) * height, 0xc0);
  for (let row = 0; row < height; row++) rows[row * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const OV_SUBMISSION = {
  product: "OV",
  organization: { name: "Bench GmbH", locality: "Berlin", state: "Berlin", country: "DE" },
  contact: { name: "Bench", email: "bench@certflow.test", phone: "+49 30 1234567" },
};

interface OrderCost {
  readonly transitions: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  readonly status: string;
  readonly checks: number;
}

const catalog = await loadServiceCatalog();
const memoryGbOf = new Map(
  catalog.steps.map(({ declaration }) => [
    declaration.state,
    (declaration.needs.memoryMiB ?? DEFAULT_MEMORY_MIB) / 1024,
  ]),
);
const taskStates = new Set(
  Object.entries(readOrderDefinition().States as Record<string, { Type: string }>)
    .filter(([, state]) => state.Type === "Task")
    .map(([name]) => name),
);

/**
 * Lambda invocations and GB-seconds of one execution: every Task state entered invokes its
 * function once; its time is from entering to leaving the state (in simulated time a wait's
 * timeout passes at once, so that is the function's own run), billed per started millisecond.
 */
function lambdaUse(events: readonly ExecutionEvent[]) {
  let invocations = 0;
  let gbSeconds = 0;
  const entered = new Map<string, number>();
  for (const event of events) {
    const state = event.stateName ?? "";
    if (!taskStates.has(state)) continue;
    if (event.type === "StateEntered") {
      invocations += 1;
      entered.set(state, Date.parse(event.timestamp));
    } else if (event.type === "StateExited" || event.type === "StateFailed") {
      const start = entered.get(state);
      if (start === undefined) continue;
      entered.delete(state);
      const ms = Math.max(1, Math.ceil(Date.parse(event.timestamp) - start));
      gbSeconds += (ms / 1000) * (memoryGbOf.get(state) ?? DEFAULT_MEMORY_MIB / 1024);
    }
  }
  return { invocations, gbSeconds };
}

function dollarsPerMillionOrders(cost: OrderCost) {
  const stepFunctions = cost.transitions * PRICES.perTransition * 1_000_000;
  const lambda =
    (cost.invocations * PRICES.perLambdaRequest + cost.gbSeconds * PRICES.perLambdaGbSecond) *
    1_000_000;
  return { stepFunctions, lambda, total: stepFunctions + lambda };
}

/** One order as `scenario` says (simulated time). */
export async function orderCostFor(scenario: Scenario): Promise<OrderCost> {
  const { publishAfterSeconds } = scenario;
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
  let pending = scenario.during;
  let orderId = "";
  const host: LocalHost = await startLocalHost(settingsFor(dataDir), {
    fresh: true,
    clock,
    dcv,
    timeMode: {
      kind: "simulated",
      // A wait long enough for the person's action passes until it, and the action ends it.
      advance: async (seconds) => {
        const action = pending;
        if (action === undefined || seconds < action.afterSeconds) {
          clock.advance(seconds);
          return;
        }
        pending = undefined;
        clock.advance(action.afterSeconds);
        await action.act(host, orderId);
      },
    },
  });
  try {
    const order = await submit(
      host.url,
      ["bench.certflow.test"],
      "http-file",
      scenario.submission ?? {},
    );
    orderId = order.id;
    await scenario.afterSubmit?.(host, order.id);
    const execution = await host.engine.waitForExecution(order.execution.name);
    const history = await fetch(`${host.url}/v1/orders/${order.id}/history`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const events = ((await history.json()) as { events: { type: string }[] }).events;
    return {
      transitions: execution.transitions,
      ...lambdaUse(execution.events),
      status: (await getOrder(host.url, order.id)).status,
      checks: events.filter((event) => event.type === "check").length,
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
      const order = await submit(host.url, [domain], "dns-txt");
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
  console.log(
    "One order on the embedded CA (http-file unless said), simulated time. AWS bills standard workflows per state entered ($0.025 per 1,000) and Lambda per request ($0.20 per million) and GB-second (arm64, $0.0000133334; times measured here against the emulators):",
  );
  const scenarios: [string, Scenario][] = [
    ["published before the first check", { publishAfterSeconds: 0 }],
    ["published after 6 hours", { publishAfterSeconds: 6 * HOUR }],
    ["never published (24 h timeout)", { publishAfterSeconds: undefined }],
    [
      "approved by email after 2 hours",
      {
        publishAfterSeconds: undefined,
        submission: { validation: { method: "email", approverEmail: "admin@bench.certflow.test" } },
        during: { afterSeconds: 2 * HOUR, act: (host) => approveByEmail(host) },
      },
    ],
    [
      "OV, letter at once, reviewed after 1 day",
      {
        publishAfterSeconds: 0,
        submission: OV_SUBMISSION,
        afterSubmit: async (host, id) => {
          const response = await fetch(`${host.url}/v1/orders/${id}/documents`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "image/png" },
            body: Buffer.from(letterPng()),
          });
          if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
        },
        during: {
          afterSeconds: 24 * HOUR,
          act: (host, id) =>
            call(host, "POST", `/v1/orders/${id}/review`, OPERATOR_TOKEN, { decision: "approve" }),
        },
      },
    ],
  ];
  const rows: string[][] = [];
  for (const [label, scenario] of scenarios) {
    const cost = await orderCostFor(scenario);
    const perMillion = dollarsPerMillionOrders(cost);
    const target = TARGETS[label];
    rows.push([
      label,
      cost.status,
      String(cost.checks),
      String(cost.transitions),
      target === undefined ? "" : `≤ ${target} ${cost.transitions <= target ? "ok" : "OVER"}`,
      String(cost.invocations),
      cost.gbSeconds.toFixed(2),
      `$${perMillion.stepFunctions.toFixed(0)}`,
      `$${perMillion.lambda.toFixed(0)}`,
      `$${perMillion.total.toFixed(0)}`,
    ]);
  }
  console.log(
    formatTable(
      [
        "order",
        "ends",
        "checks",
        "transitions",
        "target",
        "Lambda calls",
        "GB-s",
        "Step Functions / 1M orders",
        "Lambda / 1M orders",
        "together / 1M orders",
      ],
      rows,
    ),
  );
  const runs = Number(process.env.BENCH_WORKFLOW_RUNS ?? 5);
  const timings = await timeToIssued(runs);
  console.log(
    `POST to ISSUED on the embedded CA (customer publishes at once, ${runs} runs): median ${median(timings).toFixed(0)} ms, min ${Math.min(...timings).toFixed(0)} ms, max ${Math.max(...timings).toFixed(0)} ms`,
  );
}
