import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));

export interface RunningService {
  readonly url: string;
  readonly dataDir: string;
  /** Everything the service printed so far (stdout and stderr), then its JSON log file. */
  output(): string;
  /** Only what it printed: what a person at the terminal sees. */
  terminal(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process (and every thread in it) ends where it is, nothing written after. */
  kill(): Promise<void>;
}

/** Starts `npm start`'s entry point as a real child process, as a user would run it. */
export async function startLocalService(
  environment: Record<string, string>,
  dataDir = mkdtempSync(join(tmpdir(), "certflow-e2e-")),
): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, ["infra/local/main.ts"], {
    cwd: projectRoot,
    env: { ...process.env, PORT: "0", CERTFLOW_DATA_DIR: dataDir, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      const match = /certflow is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`service exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    output: () => {
      const logFile = join(dataDir, "service.log");
      return existsSync(logFile) ? `${output}\n${readFileSync(logFile, "utf8")}` : output;
    },
    terminal: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
