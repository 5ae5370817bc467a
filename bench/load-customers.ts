import type { CustomerDnsServer } from "../infra/local/customer-dns-server.ts";
import type { CustomerWebServer } from "../infra/local/customer-web-server.ts";

/** What one customer does: orders `orders` names, publishes each file and presses "verify now". */
export interface LoadCustomer {
  readonly token: string;
  readonly tenant: string;
  readonly index: number;
}

export interface SubmittedOrder {
  readonly orderId: string;
  readonly domain: string;
  readonly customer: LoadCustomer;
  readonly submittedAt: number;
}

/** What the customers saw, for the figures. */
export interface LoadRecord {
  /** Latency of each POST /v1/orders answered 202 (ms); a retried one counts its last try. */
  readonly submitLatencies: number[];
  readonly submitted: SubmittedOrder[];
  /** Submissions retried after no answer (the service was down) or a 5xx. */
  retriedSubmissions: number;
  /** Submissions that never got a 202 (with why). */
  readonly refused: string[];
}

export interface LoadPlan {
  /** Where the service answers now (the same URL after a restart). */
  readonly url: () => string;
  readonly customers: readonly LoadCustomer[];
  readonly ordersPerCustomer: number;
  /** Tells apart the names and idempotency keys of two runs on one DNS and web server. */
  readonly runLabel: string;
  readonly dns: CustomerDnsServer;
  readonly web: CustomerWebServer;
  /** Called after each order's 202 (the kill run counts them). */
  readonly onSubmitted?: (count: number) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often each customer lists its orders while waiting for them to issue. */
const LISTING_INTERVAL_MS = 3000;

/** How long a customer keeps retrying a call that gets no answer (a restart takes seconds). */
const GIVE_UP_MS = 180_000;

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the API's answers, read field by field as a customer's script would
  readonly json: any;
  readonly retryAfterSeconds: number | undefined;
}

async function call(
  plan: LoadPlan,
  customer: LoadCustomer,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${plan.url()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${customer.token}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const retryAfter = response.headers.get("retry-after");
  return {
    status: response.status,
    json: text === "" ? undefined : JSON.parse(text),
    retryAfterSeconds: retryAfter === null ? undefined : Number(retryAfter),
  };
}

/**
 * Calls until an answer that is not "no connection", 5xx or 429; then gives it back. A call the
 * service never answered (killed) is sent again as it was.
 */
async function persistently(
  attempt: () => Promise<Answer>,
  onRetry: () => void = () => undefined,
): Promise<Answer & { lastTryMs: number }> {
  const started = Date.now();
  for (let tries = 0; ; tries++) {
    const tryStarted = performance.now();
    try {
      const answer = await attempt();
      const lastTryMs = performance.now() - tryStarted;
      if (answer.status === 429) {
        await sleep(Math.max(0.2, answer.retryAfterSeconds ?? 1) * 1000);
      } else if (answer.status >= 500) {
        onRetry();
        await sleep(500);
      } else {
        return { ...answer, lastTryMs };
      }
    } catch (error) {
      if (Date.now() - started > GIVE_UP_MS) throw error;
      onRetry();
      await sleep(Math.min(1000, 100 * 2 ** tries));
    }
  }
}

async function instructionsOf(plan: LoadPlan, customer: LoadCustomer, orderId: string) {
  for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
    const answer = await persistently(() => call(plan, customer, "GET", `/v1/orders/${orderId}`));
    const order = answer.json as {
      status: string;
      validations?: { instructions?: { url?: string; content?: string } }[];
    };
    const instructions = order.validations?.[0]?.instructions;
    if (order.status !== "SUBMITTED" && instructions?.url !== undefined) {
      return { status: order.status, url: instructions.url, content: instructions.content ?? "" };
    }
    if (order.status === "FAILED" || order.status === "ISSUED") {
      return { status: order.status, url: undefined, content: "" };
    }
    await sleep(wait);
  }
}

/** One customer's orders, one after the other; the record collects what it saw. */
async function runCustomer(plan: LoadPlan, customer: LoadCustomer, record: LoadRecord) {
  for (let index = 0; index < plan.ordersPerCustomer; index++) {
    const domain = `o${index}.c${customer.index}.${plan.runLabel}.load.certflow.test`;
    plan.dns.setA(domain, "127.0.0.1");
    const key = `${plan.runLabel}-${customer.index}-${index}`;
    let retried = false;
    const submittedAt = performance.now();
    const answer = await persistently(
      () =>
        call(plan, customer, "POST", "/v1/orders", {
          body: {
            domains: [domain],
            validation: { method: "http-file" },
            contact: { name: `Customer ${customer.index}`, email: `c${customer.index}@load.test` },
          },
          headers: { "idempotency-key": key },
        }),
      () => {
        retried = true;
      },
    ).catch((error: unknown) => ({ status: 0, json: { error: String(error) }, lastTryMs: 0 }));
    if (answer.status !== 202) {
      record.refused.push(`${domain}: ${answer.status} ${JSON.stringify(answer.json)}`);
      continue;
    }
    if (retried) record.retriedSubmissions += 1;
    const orderId = String(answer.json.id);
    if (record.submitted.some((order) => order.orderId === orderId)) {
      record.refused.push(`${domain}: answered with another name's order ${orderId}`);
      continue;
    }
    record.submitLatencies.push(answer.lastTryMs);
    record.submitted.push({ orderId, domain, customer, submittedAt });
    plan.onSubmitted?.(record.submitted.length);

    const instructions = await instructionsOf(plan, customer, orderId);
    if (instructions.url === undefined) continue;
    const url = new URL(instructions.url);
    plan.web.publish(url.hostname, url.pathname, instructions.content);
    // "Verify now": 409 when the order moved on already (its own first check found the file).
    await persistently(() => call(plan, customer, "POST", `/v1/orders/${orderId}/checks`));
  }
}

/** Every customer at once; resolves when each has submitted and published all its orders. */
export async function runCustomers(plan: LoadPlan): Promise<LoadRecord> {
  const record: LoadRecord = {
    submitLatencies: [],
    submitted: [],
    retriedSubmissions: 0,
    refused: [],
  };
  await Promise.all(plan.customers.map((customer) => runCustomer(plan, customer, record)));
  return record;
}

export interface OrderOutcome {
  readonly status: string;
  readonly serials: readonly string[];
  /** When the history says it became ISSUED (service clock, ms since the epoch). */
  readonly issuedAt: number | undefined;
  /** When the history first notes the issued mail as sent: the execution's last work. */
  readonly issuedMailNotedAt: number | undefined;
}

/**
 * Waits until every order is ISSUED or FAILED, or `timeoutMs` passes; polls each customer's
 * listing (one call per customer, not per order). Returns each order's outcome, read at the end.
 */
export async function waitForOutcomes(
  plan: LoadPlan,
  orders: readonly SubmittedOrder[],
  timeoutMs: number,
): Promise<Map<string, OrderOutcome>> {
  const deadline = Date.now() + timeoutMs;
  const open = new Set(orders.map((order) => order.orderId));
  const owners = new Map<LoadCustomer, Set<string>>();
  for (const order of orders) {
    const ids = owners.get(order.customer) ?? new Set<string>();
    ids.add(order.orderId);
    owners.set(order.customer, ids);
  }
  while (open.size > 0 && Date.now() < deadline) {
    await Promise.all(
      [...owners].map(async ([customer, ids]) => {
        if (![...ids].some((id) => open.has(id))) return;
        let cursor: string | undefined;
        do {
          const answer = await persistently(() =>
            call(
              plan,
              customer,
              "GET",
              `/v1/orders?limit=100${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
            ),
          );
          for (const order of answer.json.orders as { id: string; status: string }[]) {
            if (order.status === "ISSUED" || order.status === "FAILED") open.delete(order.id);
          }
          cursor = answer.json.nextCursor ?? undefined;
        } while (cursor !== undefined);
      }),
    );
    // Each listing costs the service as much as a step: look rarely (issue times come from the
    // orders' histories, not from when the listing showed them).
    if (open.size > 0) await sleep(LISTING_INTERVAL_MS);
  }
  const outcomes = new Map<string, OrderOutcome>();
  const queue = [...orders];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let order = queue.shift(); order !== undefined; order = queue.shift()) {
        const view = await persistently(() =>
          call(plan, order.customer, "GET", `/v1/orders/${order.orderId}`),
        );
        const history = await persistently(() =>
          call(plan, order.customer, "GET", `/v1/orders/${order.orderId}/history`),
        );
        const events = (history.json?.events ?? []) as {
          status?: string;
          type?: string;
          message?: string;
          at: string;
        }[];
        const issued = events
          .filter((event) => event.status === "ISSUED")
          .map((event) => Date.parse(event.at));
        const mailNoted = events
          .filter((event) => event.type === "mail" && event.message?.startsWith("Issuance notice"))
          .map((event) => Date.parse(event.at));
        outcomes.set(order.orderId, {
          status: String(view.json?.status),
          serials: ((view.json?.certificates ?? []) as { serialNumber: string }[]).map(
            (certificate) => certificate.serialNumber,
          ),
          issuedAt: issued[0],
          issuedMailNotedAt: mailNoted[0],
        });
      }
    }),
  );
  return outcomes;
}
