import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCustomerDnsServer } from "../../infra/local/customer-dns-server.ts";
import { startCustomerWebServer } from "../../infra/local/customer-web-server.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const TOKENS = "kill-token:tenant-k:customer";
const NAMES = ["one.kill.certflow.test", "two.kill.certflow.test", "three.kill.certflow.test"];

let dns: Awaited<ReturnType<typeof startCustomerDnsServer>>;
let web: Awaited<ReturnType<typeof startCustomerWebServer>>;
const running: RunningService[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "certflow-e2e-kill-"));

async function start(): Promise<RunningService> {
  const service = await startLocalService(
    {
      CERTFLOW_API_TOKENS: TOKENS,
      CERTFLOW_DNS_RESOLVER: dns.address,
      CERTFLOW_HTTP_VALIDATION_PORT: String(web.port),
      CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
    },
    dataDir,
  );
  running.push(service);
  return service;
}

/** "Certificate issued" mails per name, from the copies in the data directory. */
function issuedMails(): string[] {
  const folder = join(dataDir, "mails");
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((file) => {
    const name = /^Subject: Certificate issued for (\S+)$/m.exec(
      readFileSync(join(folder, file), "utf8"),
    )?.[1];
    return name === undefined ? [] : [name];
  });
}

beforeAll(async () => {
  dns = await startCustomerDnsServer();
  web = await startCustomerWebServer();
  for (const name of NAMES) dns.setA(name, "127.0.0.1");
});

afterAll(async () => {
  for (const service of running) await service.stop();
  await web?.close();
  await dns?.close();
});

it("resumes orders whose service was SIGKILLed in their wait, on the data it left, and issues each once", async () => {
  // Prepare: three orders wait for their files; the service is killed, not stopped.
  const first = await start();
  const before = new ApiClient(first.url, "kill-token");
  const ids: string[] = [];
  for (const name of NAMES) {
    const answer = await before.request("POST", "/v1/orders", {
      body: {
        domains: [name],
        validation: { method: "http-file" },
        contact: { name: "Ada", email: "ada@certflow.test" },
      },
    });
    expect(answer.status).toBe(202);
    ids.push(String(answer.json.id));
  }
  const waiting = await Promise.all(
    ids.map((id) =>
      before.waitForOrder(id, (order) => order.status === "PENDING_VALIDATION", 60_000),
    ),
  );
  await first.kill();

  // Act: started again on the same data; the customer publishes and presses "verify now".
  const second = await start();
  const after = new ApiClient(second.url, "kill-token");
  for (const order of waiting) {
    const url = new URL(order.validations[0].instructions.url);
    web.publish(url.hostname, url.pathname, order.validations[0].instructions.content);
    const pressed = await after.request("POST", `/v1/orders/${order.id}/checks`);
    expect([200, 409]).toContain(pressed.status);
  }
  const issued = await Promise.all(
    ids.map((id) => after.waitForOrder(id, (order) => order.status === "ISSUED", 60_000)),
  );

  // Assess
  for (const order of issued) {
    expect(order.certificates).toHaveLength(1);
    const history = await after.request("GET", `/v1/orders/${order.id}/history`);
    const messages = (history.json.events as { message: string; status?: string }[]).map(
      (event) => event.message,
    );
    expect(messages).toContain(
      `The service restarted; the order continues in execution ${order.id}-2.`,
    );
    expect(
      (history.json.events as { status?: string }[]).filter((event) => event.status === "ISSUED"),
    ).toHaveLength(1);
  }
  const firstRecord = JSON.parse(
    readFileSync(join(dataDir, "executions", `${ids[0]}-1.json`), "utf8"),
  ) as { status: string; cause?: string };
  expect(firstRecord).toMatchObject({ status: "ABORTED", cause: "host restarted" });
  await expect.poll(() => issuedMails().sort(), { timeout: 30_000 }).toEqual([...NAMES].sort());
});
