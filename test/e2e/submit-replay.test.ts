import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fixedClock } from "../../functions/domain/clock.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { ApiClient } from "./support/api-client.ts";

const TOKEN = "replay-token";
const clock = fixedClock(new Date("2027-01-10T08:00:00Z"));
let host: LocalHost;

beforeAll(async () => {
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), "certflow-e2e-replay-")),
    CERTFLOW_API_TOKENS: `${TOKEN}:tenant-a:customer`,
  });
  // The local service in this process, its customer publishing at once and its waits taking
  // simulated time, so that its engine can be made to stop answering.
  host = await startLocalHost(settings, {
    fresh: true,
    clock,
    dcv: { check: async () => ({ ok: true }) },
    timeMode: { kind: "simulated", advance: (seconds) => clock.advance(seconds) },
  });
});

afterAll(async () => {
  await host?.stop();
});

it("issues an order whose first request stopped between storing and starting, once the same request comes again", async () => {
  // Prepare: the first request stores the order, and its process stops as it starts the execution.
  const customer = new ApiClient(host.url, TOKEN);
  const submission = {
    body: {
      domains: ["replay.certflow.test"],
      validation: { method: "dns-txt" },
      contact: { name: "Ada", email: "ada@certflow.test" },
    },
    headers: { "idempotency-key": "replay-after-crash" },
  };
  const engine = host.engine;
  const startExecution = engine.startExecution;
  const reachedEngine = new Promise<void>((resolve) => {
    engine.startExecution = () => {
      resolve();
      return new Promise<void>(() => undefined);
    };
  });
  const firstRequest = new AbortController();
  void fetch(`${host.url}/v1/orders`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      ...submission.headers,
    },
    body: JSON.stringify(submission.body),
    signal: firstRequest.signal,
  }).catch(() => undefined);
  await reachedEngine;
  firstRequest.abort();
  engine.startExecution = startExecution;

  // Act
  const replay = await customer.request("POST", "/v1/orders", submission);

  // Assess
  expect(replay.status).toBe(202);
  const execution = await engine.waitForExecution(replay.json.execution.name);
  expect(execution.status).toBe("SUCCEEDED");
  const order = (await customer.request("GET", `/v1/orders/${replay.json.id}`)).json;
  expect(order.status).toBe("ISSUED");
});
