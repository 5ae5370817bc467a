import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../", import.meta.url));
const START_TIMEOUT_MS = 120_000;

/** `npm start` as a child process in a process group of its own (SIGKILL takes all of it). */
export interface ServiceProcess {
  readonly url: string;
  /** Resident memory of every process in the service's group now, in bytes (from /proc). */
  rssBytes(): number;
  /**
   * CPU seconds used so far (user + system) by every process in the group, and by the service's
   * main thread alone (the one its steps and routes run on).
   */
  cpuSeconds(): { readonly total: number; readonly mainThread: number };
  /** Everything it printed. */
  output(): string;
  /** SIGKILL to the whole group: nothing gets to finish. */
  kill(): Promise<void>;
  /** SIGTERM, as Ctrl-C would; waits for the exit (a --cpu-prof profile is written then). */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now, so that a restarted service answers at the same URL. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Linux's USER_HZ: /proc counts CPU time in these. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of a /proc stat line after the command name (which may hold spaces): state, ppid, pgrp, … */
function statFields(path: string): string[] {
  const stat = readFileSync(path, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** utime + stime of a stat line's fields, in seconds. */
const cpuOf = (fields: readonly string[]) =>
  (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;

function groupProcesses(groupId: number): string[] {
  return readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return Number(statFields(`/proc/${entry}/stat`)[2]) === groupId;
    } catch {
      return false;
    }
  });
}

function groupCpuSeconds(groupId: number) {
  let total = 0;
  for (const entry of groupProcesses(groupId)) {
    try {
      total += cpuOf(statFields(`/proc/${entry}/stat`));
    } catch {
      // The process ended between listing and reading.
    }
  }
  let mainThread = 0;
  try {
    mainThread = cpuOf(statFields(`/proc/${groupId}/task/${groupId}/stat`));
  } catch {
    // Gone.
  }
  return { total, mainThread };
}

/** Sum of VmRSS over the processes whose group is `groupId`. */
function groupRssBytes(groupId: number): number {
  let total = 0;
  for (const entry of groupProcesses(groupId)) {
    try {
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      total += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

function withoutBenchLogLevel(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { POWERTOOLS_LOG_LEVEL: _benchLevel, ...rest } = environment;
  return rest;
}

export async function startServiceProcess(
  environment: Record<string, string>,
  nodeOptions: readonly string[] = [],
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeOptions, "infra/local/main.ts"], {
    cwd: PROJECT_ROOT,
    // As `npm start` runs: the bench's own quieter log level is not the service's.
    env: { ...withoutBenchLogLevel(process.env), ...environment },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("The service did not start.");
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`The service did not start in time:\n${output}`));
    }, START_TIMEOUT_MS);
    const poll = setInterval(() => {
      const match = /certflow is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] === undefined) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve(match[1]);
    }, 50);
    void exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`The service exited with ${child.exitCode}:\n${output}`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
    await exited;
  };
  return {
    url,
    rssBytes: () => groupRssBytes(pid),
    cpuSeconds: () => groupCpuSeconds(pid),
    output: () => output,
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}
