import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordServiceUrl } from "../../functions/local/local-data-dir.ts";
import { readLocalToken } from "../../functions/local/local-token-file.ts";
import type { DcvChecker, Publication } from "../../functions/ports/dcv-checker.ts";
import { type LocalHost, startLocalHost } from "../../infra/local/local-host.ts";
import { readLocalSettings } from "../../infra/local/local-settings.ts";
import { ApiClient } from "./support/api-client.ts";
import { openssl } from "./support/openssl.ts";

// The certflow command as users run it from the checkout (bin/certflow, a child process)
// against a local host started here. The test plays the customer: it publishes the records the
// command shows, and the host's checks find exactly what was published.

const bin = fileURLToPath(new URL("../../bin/certflow", import.meta.url));
const publishedRecords = new Set<string>();
const publish = (name: string, value: string) => publishedRecords.add(`${name} ${value}`);
const dcv: DcvChecker = {
  check: async (publication: Publication) => {
    const [name, value] =
      publication.kind === "http-file"
        ? [publication.url, publication.content]
        : [publication.host, publication.value];
    return publishedRecords.has(`${name} ${value}`)
      ? { ok: true }
      : { ok: false, cause: "NO_RECORD", detail: `There is no TXT record at ${name}.` };
  },
};

let host: LocalHost;
let dataDir: string;
let work: string;
let customer: ApiClient;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), "certflow-e2e-cli-")), "data");
  work = mkdtempSync(join(tmpdir(), "certflow-e2e-cli-work-"));
  // No CERTFLOW_API_TOKENS: the local tokens are made and kept in the data directory, where the
  // command finds them, as it finds the service's URL.
  const settings = readLocalSettings({
    PORT: "0",
    CERTFLOW_DATA_DIR: dataDir,
    CERTFLOW_CHECK_EARLY_SECONDS: "1",
    CERTFLOW_CHECK_LATE_SECONDS: "2",
    CERTFLOW_RENEWAL_INTERVAL_SECONDS: "0",
    CERTFLOW_CUSTOMER_CHECK_INTERVAL_SECONDS: "0",
  });
  host = await startLocalHost(settings, {
    fresh: true,
    dcv,
    log: (line) => {
      if (/error|fail/i.test(line)) console.log(line);
    },
  });
  recordServiceUrl(dataDir, host.url);
  customer = new ApiClient(host.url, readLocalToken(dataDir, "customer") ?? "");
});

afterAll(async () => {
  await host?.stop();
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Started {
  /** What it printed on stdout so far. */
  stdout(): string;
  /** Resolves with stdout once it matches. */
  printed(pattern: RegExp): Promise<string>;
  readonly done: Promise<Run>;
}

/** Starts bin/certflow as a user would, in a working directory of its own; never blocks the host. */
function start(args: string[], env: Record<string, string> = {}): Started {
  const environment: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (name.startsWith("CERTFLOW_")) delete environment[name];
  }
  const child = spawn(bin, args, {
    cwd: work,
    env: { ...environment, CERTFLOW_DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const done = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  return {
    stdout: () => stdout,
    done,
    printed: async (pattern) => {
      let ended = false;
      void done.then(() => {
        ended = true;
      });
      while (!pattern.test(stdout)) {
        if (ended)
          throw new Error(`certflow ended without printing ${pattern}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return stdout;
    },
  };
}

const certflow = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

/** The records a `Publish this` block names, as (name, value) pairs. */
function recordsShown(stdout: string): [string, string][] {
  return [...stdout.matchAll(/^ +name: +(\S+)\n +type: +TXT\n +value: +(\S+)$/gm)].map((match) => [
    match[1] ?? "",
    match[2] ?? "",
  ]);
}

const show = (run: Run) =>
  `exit ${run.status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
const mode = (path: string) => statSync(path).mode & 0o777;
const CONTACT = ["--email", "ada@certflow.test", "--name", "Ada"];

let issuedId: string;

describe("certflow order --wait --out", () => {
  it("shows what to publish, follows the order to ISSUED and writes files openssl reads", async () => {
    // Prepare
    const out = join(work, "issued");

    // Act: publish what the command shows, as the customer does.
    const command = start([
      "order",
      "--domain",
      "cli.certflow.test",
      "--domain",
      "www.cli.certflow.test",
      "--method",
      "dns-txt",
      "--key",
      "EC-P256",
      ...CONTACT,
      "--wait",
      "--out",
      out,
    ]);
    const shown = recordsShown(
      await command.printed(/www\.cli\.certflow\.test: DNS TXT record\n(.*\n){3}/),
    );
    for (const [name, value] of shown) publish(name, value);
    const run = await command.done;

    // Assess
    expect(run.status, show(run)).toBe(0);
    const id = /Ordered (ord_\S+) for/.exec(run.stdout)?.[1];
    expect(id, show(run)).toBeDefined();
    issuedId = id ?? "";
    const order = await customer.request("GET", `/v1/orders/${issuedId}`);
    expect(order.json.status).toBe("ISSUED");
    expect(shown).toHaveLength(2);
    // What to publish, exactly: the record's name and value as the order view has them.
    for (const validation of order.json.validations) {
      expect(run.stdout).toContain(`${validation.domain}: DNS TXT record`);
      expect(run.stdout).toContain(`name:  ${validation.instructions.host}`);
      expect(run.stdout).toContain(`value: ${validation.instructions.value}`);
    }
    // Not a terminal: progress comes as plain lines, never rewritten with carriage returns.
    expect(run.stdout).not.toContain("\r");
    expect(run.stdout).toMatch(/^ISSUED · serial /m);
    expect(readdirSync(out).sort()).toEqual([
      "README.txt",
      "cli.certflow.test.fullchain.pem",
      "cli.certflow.test.key",
    ]);
    const fullchain = join(out, "cli.certflow.test.fullchain.pem");
    const key = join(out, "cli.certflow.test.key");
    expect(mode(key)).toBe(0o600);
    expect(mode(fullchain)).toBe(0o644);
    expect(openssl(["x509", "-in", fullchain, "-noout", "-ext", "subjectAltName"])).toContain(
      "DNS:cli.certflow.test, DNS:www.cli.certflow.test",
    );
    expect(openssl(["x509", "-in", fullchain, "-noout", "-serial"]).toLowerCase()).toContain(
      order.json.certificate.serialNumber,
    );
    expect(openssl(["pkey", "-in", key, "-pubout"])).toBe(
      openssl(["x509", "-in", fullchain, "-noout", "-pubkey"]),
    );
  });

  it("exits 1 with the status and cause when the order ends without a certificate", async () => {
    // Prepare: the test cancels the order while the command follows it.
    const command = start([
      "order",
      "--domain",
      "cancel.certflow.test",
      "--method",
      "dns-txt",
      ...CONTACT,
      "--wait",
    ]);
    await command.printed(/cancel\.certflow\.test: DNS TXT record/);
    const id = /Ordered (ord_\S+) for/.exec(command.stdout())?.[1] ?? "";

    // Act
    const cancelled = await customer.request("POST", `/v1/orders/${id}/cancellation`);
    const run = await command.done;

    // Assess
    expect(cancelled.status).toBe(200);
    expect(run.status, show(run)).toBe(1);
    expect(run.stdout).toMatch(/^CANCELLED$/m);
    expect(run.stderr).toContain(`order ${id} is CANCELLED`);
  });
});

describe("certflow status, list, check, download, renew", () => {
  it("status shows the issued order; --json is the order view", async () => {
    const run = await certflow(["status", issuedId]);
    const json = await certflow(["status", issuedId, "--json"]);

    expect(run.status, show(run)).toBe(0);
    expect(run.stdout).toContain(`Order ${issuedId}: ISSUED`);
    expect(run.stdout).toContain("names:       cli.certflow.test, www.cli.certflow.test");
    expect(json.status, show(json)).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: issuedId, status: "ISSUED" });
  });

  it("works against any deployment with --url and CERTFLOW_TOKEN", async () => {
    const token = readLocalToken(dataDir, "customer") ?? "";
    const run = await certflow(["status", issuedId, "--url", host.url], {
      CERTFLOW_DATA_DIR: join(work, "no-such-dir"),
      CERTFLOW_TOKEN: token,
    });
    const refused = await certflow(["status", issuedId, "--url", host.url], {
      CERTFLOW_DATA_DIR: join(work, "no-such-dir"),
      CERTFLOW_TOKEN: "cf_not-a-token",
    });

    expect(run.status, show(run)).toBe(0);
    expect(refused.status, show(refused)).toBe(2);
    expect(refused.stderr).toMatch(/^[A-Z_]+: /);
  });

  it("list finds the order by status and name", async () => {
    const run = await certflow(["list", "--status", "ISSUED", "--domain", "www.cli.certflow.test"]);
    const json = await certflow(["list", "--domain", "no-such-name.test", "--json"]);

    expect(run.status, show(run)).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+STATUS\s+CREATED\s+VALID UNTIL\s+NAMES$/m);
    expect(run.stdout).toContain(issuedId);
    expect(json.status, show(json)).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ orders: [] });
  });

  it("check verifies now: what is missing (exit 1), and a refusal as code: message (exit 2)", async () => {
    // Prepare: an order whose record is never published; without --wait the command shows
    // what to publish and ends.
    const ordered = await certflow([
      "order",
      "--domain",
      "check.certflow.test",
      "--method",
      "dns-txt",
      ...CONTACT,
    ]);
    const id = /Ordered (ord_\S+) for/.exec(ordered.stdout)?.[1] ?? "";

    // Act
    const run = await certflow(["check", id]);
    const json = await certflow(["check", id, "--json"]);
    const refused = await certflow(["check", issuedId]);

    // Assess
    expect(ordered.status, show(ordered)).toBe(0);
    expect(ordered.stdout).toContain("check.certflow.test: DNS TXT record");
    expect(run.status, show(run)).toBe(1);
    expect(run.stdout).toContain("check.certflow.test: NO_RECORD");
    expect(run.stdout).toContain("There is no TXT record at");
    expect(JSON.parse(json.stdout)).toMatchObject({ id, allPublished: false });
    expect(refused.status, show(refused)).toBe(2);
    expect(refused.stderr).toContain("NOT_WAITING_FOR_VALIDATION: ");
  });

  it("download --format nginx writes the files; iis takes the password from a file", async () => {
    // Prepare
    const out = join(work, "downloads");
    const passwordFile = join(work, "pfx-password");
    writeFileSync(passwordFile, "Correct-Horse-9\n", { mode: 0o600 });

    // Act
    const nginx = await certflow(["download", issuedId, "--format", "nginx", "--out", out]);
    const iis = await certflow([
      "download",
      issuedId,
      "--format",
      "iis",
      "--pfx-password-file",
      passwordFile,
      "--out",
      out,
    ]);

    // Assess
    expect(nginx.status, show(nginx)).toBe(0);
    expect(iis.status, show(iis)).toBe(0);
    const key = join(out, "cli.certflow.test.key");
    const pfx = join(out, "cli.certflow.test.pfx");
    expect(mode(key)).toBe(0o600);
    expect(mode(pfx)).toBe(0o600);
    expect(nginx.stdout).toContain(`${key} (mode 0600`);
    expect(openssl(["pkey", "-in", key, "-pubout"])).toBe(
      openssl(["x509", "-in", join(out, "cli.certflow.test.fullchain.pem"), "-noout", "-pubkey"]),
    );
    const certificates = openssl([
      "pkcs12",
      "-in",
      pfx,
      "-nokeys",
      "-passin",
      "pass:Correct-Horse-9",
    ]);
    expect(certificates).toContain("BEGIN CERTIFICATE");
    expect(readFileSync(pfx).length).toBeGreaterThan(0);
  });

  it("renew renews the order now and, with --wait, follows the renewal to ISSUED", async () => {
    // Prepare
    const before = (await customer.request("GET", `/v1/orders/${issuedId}`)).json;

    // Act
    const run = await certflow(["renew", issuedId, "--wait"]);

    // Assess
    expect(run.status, show(run)).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`Renewal \\S+ of ${issuedId} started \\(the same key\\)`),
    );
    const after = await customer.waitForOrder(
      issuedId,
      (order) => order.certificate.serialNumber !== before.certificate.serialNumber,
      30_000,
    );
    expect(after.status).toBe("ISSUED");
    expect(after.certificates).toHaveLength(2);
  });

  it("a name the service refuses exits 2 with its code; --json gives the error as the document", async () => {
    const order = [
      "order",
      "--domain",
      "bad_name..certflow.test",
      "--method",
      "dns-txt",
      ...CONTACT,
    ];

    const run = await certflow(order);
    const json = await certflow([...order, "--json"]);

    expect(run.status, show(run)).toBe(2);
    expect(run.stderr).toMatch(/^NAME_INVALID_CHARACTERS: 'bad_name\.\.certflow\.test'/m);
    expect(json.status, show(json)).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { status: 422, code: "NAME_INVALID_CHARACTERS" },
    });
  });
});
