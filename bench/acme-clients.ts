// Reference ACME clients from Debian (certbot, lego), run against the same ACME server as
// certflow so the bench can put their times next to the workflow's.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface AcmeServerForClients {
  readonly directoryUrl: string;
  /** PEM file of the root that signed the ACME server's HTTPS certificate. */
  readonly trustedCaCertsPath: string;
  /** Port the ACME server connects to for http-01 (the clients listen there themselves). */
  readonly http01Port: number;
}

export interface ReferenceClient {
  readonly name: string;
  /** Issues one certificate for `domains` over http-01 and resolves with the elapsed ms. */
  issue(server: AcmeServerForClients, domains: readonly string[]): Promise<number>;
}

async function timed(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  const started = performance.now();
  const output: Buffer[] = [];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.once("error", reject);
    child.once("close", resolve);
  });
  const elapsed = performance.now() - started;
  if (status !== 0) {
    const tail = Buffer.concat(output).toString("utf8").split("\n").slice(-8).join("\n");
    throw new Error(`${command} exited with ${status}:\n${tail}`);
  }
  return elapsed;
}

async function inScratchDirectory<T>(run: (directory: string) => Promise<T>): Promise<T> {
  const directory = mkdtempSync(join(tmpdir(), "certflow-bench-client-"));
  try {
    return await run(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export const certbot: ReferenceClient = {
  name: "certbot",
  issue: (server, domains) =>
    inScratchDirectory((directory) =>
      timed(
        "certbot",
        [
          "certonly",
          "--non-interactive",
          "--agree-tos",
          "--register-unsafely-without-email",
          "--server",
          server.directoryUrl,
          "--standalone",
          "--http-01-address",
          "127.0.0.1",
          "--http-01-port",
          String(server.http01Port),
          "--config-dir",
          join(directory, "config"),
          "--work-dir",
          join(directory, "work"),
          "--logs-dir",
          join(directory, "logs"),
          ...domains.flatMap((domain) => ["-d", domain]),
        ],
        { REQUESTS_CA_BUNDLE: server.trustedCaCertsPath },
      ),
    ),
};

export const lego: ReferenceClient = {
  name: "lego",
  issue: (server, domains) =>
    inScratchDirectory((directory) =>
      timed(
        "lego",
        [
          "--server",
          server.directoryUrl,
          "--email",
          "bench@certflow.test",
          "--accept-tos",
          "--http",
          "--http.port",
          `127.0.0.1:${server.http01Port}`,
          "--path",
          directory,
          ...domains.flatMap((domain) => ["--domains", domain]),
          "run",
        ],
        { LEGO_CA_CERTIFICATES: server.trustedCaCertsPath },
      ),
    ),
};
