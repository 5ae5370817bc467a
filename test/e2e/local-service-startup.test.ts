import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLocalToken } from "../../functions/local/local-token-file.ts";
import { freeLoopbackPort } from "../support/loopback-port.ts";
import { ApiClient } from "./support/api-client.ts";
import { type RunningService, startLocalService } from "./support/local-service.ts";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "certflow-startup-"));
/** A data directory the service creates itself (mkdtemp would make it 0700 already). */
const dataDir = join(scratch, "data");
let dnsPort: number;
let webPort: number;
let service: RunningService;

/** The environment without anything that points local tools at a service. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const {
    CERTFLOW_URL: _url,
    CERTFLOW_DATA_DIR: _dir,
    CERTFLOW_TOKEN: _token,
    ...rest
  } = process.env;
  return { ...rest, ...extra };
}

function run(script: string[], extra: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, script, {
    cwd: projectRoot,
    env: environment(extra),
    encoding: "utf8",
    timeout: 90_000,
  });
}

/** A port on 127.0.0.1 nothing listens on. */
const closedPortUrl = async () => `http://127.0.0.1:${await freeLoopbackPort()}`;

beforeAll(async () => {
  dnsPort = await freeLoopbackPort();
  webPort = await freeLoopbackPort();
  service = await startLocalService(
    {
      CERTFLOW_DNS_RESOLVER: `127.0.0.1:${dnsPort}`,
      CERTFLOW_HTTP_VALIDATION_PORT: String(webPort),
    },
    dataDir,
  );
});

afterAll(async () => {
  await service?.stop();
});

describe("npm start", () => {
  it("creates its data directory readable by its owner only, and records its URL there", () => {
    const mode = statSync(dataDir).mode & 0o777;

    const recorded = readFileSync(join(dataDir, "service-url"), "utf8").trim();

    expect(mode.toString(8)).toBe("700");
    expect(recorded).toBe(service.url);
  });

  it("answers a body over the limit with 413 naming the limit", async () => {
    const token = readLocalToken(dataDir, "customer");

    const response = await fetch(`${service.url}/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ padding: "x".repeat(2 * 1024 * 1024) }),
    });

    expect(response.status).toBe(413);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("BODY_TOO_LARGE");
    expect(error.message).toContain("1 MiB");
  });

  it("on a port in use says so in one line naming PORT, without a stack trace", () => {
    const port = new URL(service.url).port;

    const result = run(["infra/local/main.ts"], {
      PORT: port,
      CERTFLOW_DATA_DIR: join(scratch, "second"),
    });

    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^certflow: port ${port} \\(PORT\\) is in use.*PORT=\\d+ npm start\\.$`),
    );
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("with PORT=abc says what PORT must be in one line", () => {
    const result = run(["infra/local/main.ts"], {
      PORT: "abc",
      CERTFLOW_DATA_DIR: join(scratch, "third"),
    });

    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^certflow: PORT must be a whole number from 0 to 65535/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("local tools find the service from its data directory", () => {
  it("certflow executions asks the service started on another port", () => {
    const result = run(["bin/certflow.mjs", "executions", "ord_missing"], {
      CERTFLOW_DATA_DIR: dataDir,
    });

    expect(result.stderr).toContain("Order ord_missing was not found");
    expect(result.status).toBe(1);
  });

  it("certflow executions names CERTFLOW_URL when no service answers", async () => {
    const staleDir = mkdtempSync(join(scratch, "stale-"));
    writeFileSync(join(staleDir, "service-url"), `${await closedPortUrl()}\n`);

    const result = run(
      ["bin/certflow.mjs", "executions", "ord_missing", "--token", "cf_x1234567"],
      {
        CERTFLOW_DATA_DIR: staleDir,
      },
    );

    expect(result.stderr).toMatch(/no service answers at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stderr).toContain("CERTFLOW_URL");
  });

  it("npm run demo names CERTFLOW_URL when no service answers", async () => {
    const staleDir = mkdtempSync(join(scratch, "demo-stale-"));
    writeFileSync(join(staleDir, "service-url"), `${await closedPortUrl()}\n`);

    const result = run(["infra/local/demo.ts"], {
      CERTFLOW_DATA_DIR: staleDir,
      CERTFLOW_TOKEN: "cf_x1234567",
    });

    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^demo: no service answers at .*CERTFLOW_URL/);
  });

  it.each([
    ["web", () => webPort, "CERTFLOW_HTTP_VALIDATION_PORT"],
    ["DNS", () => dnsPort, "CERTFLOW_DNS_RESOLVER"],
  ])(
    "npm run demo on a %s port in use names the service's setting, without a stack trace",
    async (_, port, setting) => {
      const holder = createServer();
      holder.listen(port(), "127.0.0.1");
      await once(holder, "listening");

      const result = run(["infra/local/demo.ts"], { CERTFLOW_DATA_DIR: dataDir });
      holder.close();
      await once(holder, "close");

      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(
        new RegExp(`^demo: port ${port()} \\(the service's ${setting}\\) is in use`),
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("npm run demo issues against the service found there and writes keys readable by their owner only", () => {
    const output = join(scratch, "demo-output");

    const result = run(["infra/local/demo.ts"], {
      CERTFLOW_DATA_DIR: dataDir,
      CERTFLOW_DEMO_OUTPUT: output,
    });

    expect(result.status, result.stderr).toBe(0);
    const modeOf = (name: string) => (statSync(join(output, name)).mode & 0o777).toString(8);
    expect(modeOf("demo.certflow.test.key")).toBe("600");
    expect(modeOf("api.demo.certflow.test.pfx")).toBe("600");
    expect(modeOf("root.pem")).toBe("644");
  });
});

describe("operators on the running service", () => {
  // Uses the orders the demo above issued.
  it("are refused key downloads, read the certificate, and their revocation names them in the history", async () => {
    const customer = new ApiClient(service.url, readLocalToken(dataDir, "customer") ?? "");
    const operator = new ApiClient(service.url, readLocalToken(dataDir, "operator") ?? "");
    const { orders } = (await customer.request("GET", "/v1/orders?status=ISSUED")).json;
    const id = orders[0]?.id;
    expect(id, "an order the demo issued").toBeDefined();

    const nginx = await operator.request("GET", `/v1/orders/${id}/certificate?format=nginx`);
    const pem = await operator.request("GET", `/v1/orders/${id}/certificate?format=pem`);
    const revoked = await operator.request("POST", `/v1/orders/${id}/revocation`, {
      body: { reason: "superseded" },
    });

    expect(nginx.status).toBe(403);
    expect(nginx.json.error.code).toBe("KEY_DOWNLOAD_OWNER_ONLY");
    expect(pem.status).toBe(200);
    expect(revoked.json.status).toBe("REVOKED");
    const { events } = (await customer.request("GET", `/v1/orders/${id}/history`)).json;
    expect(events.at(-1)).toMatchObject({
      status: "REVOKED",
      by: { role: "operator", tenantId: "local" },
    });
  });
});

describe("the terminal of the running service", () => {
  // Last: it leaves a connection of this process's fetch pool idle behind it.
  it("shows people one line per order event, keeps the JSON logs in a file, and copies mails", async () => {
    // Prepare
    const token = readLocalToken(dataDir, "customer") ?? "";
    const customer = new ApiClient(service.url, token);

    // Act
    const submitted = await customer.request("POST", "/v1/orders", {
      body: {
        domains: ["lines.certflow.test"],
        validation: { method: "dns-txt" },
        contact: { name: "Ada", email: "ada@example.test" },
      },
    });
    const id = String(submitted.json.id);
    await customer.waitForOrder(id, (order) => order.status === "PENDING_VALIDATION");
    await expect.poll(() => service.terminal(), { timeout: 10_000 }).toContain("mailed to");

    // Assess
    const terminal = service.terminal();
    expect(terminal).toContain(`certflow: ${id} SUBMITTED: Order submitted.`);
    expect(terminal).toContain(`certflow: ${id} PENDING_VALIDATION: Order placed`);
    expect(terminal).not.toContain('"level":');
    expect(readFileSync(join(dataDir, "service.log"), "utf8")).toContain('"message":"step done"');
    const mails = readdirSync(join(dataDir, "mails"));
    expect(mails.length).toBeGreaterThan(0);
  });
});
