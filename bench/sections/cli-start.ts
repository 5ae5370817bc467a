import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { formatMs, median, quantile, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "cli-start";
export const description =
  "certflow csr --key EC-P256 as a whole process, run as the README says (bin/certflow), next to openssl req -newkey ec";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** At most this many times openssl's time: the command must feel as quick as the tools it replaces. */
const TARGET_RATIO = 10;

interface Contender {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
}

function contenders(dir: string): Contender[] {
  const csr = ["csr", "--domain", "bench.example.com", "--key", "EC-P256", "--force"];
  return [
    {
      label: "bin/certflow csr (README)",
      command: join(ROOT, "bin", "certflow"),
      args: [...csr, "--out", join(dir, "bin")],
    },
    {
      label: "npx certflow csr",
      command: "npx",
      args: ["--no-install", "certflow", ...csr, "--out", join(dir, "npx")],
    },
    {
      label: "node 24, empty script",
      command: join(ROOT, "node_modules", ".bin", "node"),
      args: ["-e", "0"],
    },
    {
      label: "openssl req -newkey ec",
      command: "openssl",
      args: [
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=bench.example.com",
        "-keyout",
        join(dir, "openssl.key"),
        "-out",
        join(dir, "openssl.csr"),
      ],
    },
  ];
}

function once(contender: Contender): number {
  const start = performance.now();
  const result = spawnSync(contender.command, contender.args, {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const elapsed = performance.now() - start;
  if (result.error !== undefined) {
    throw new Error(`Cannot run ${contender.command}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`${contender.label} failed (${result.status}): ${result.stderr}`);
  }
  return elapsed;
}

export async function run(): Promise<void> {
  const runs = runsFromEnv("CERTFLOW_BENCH_CLI_RUNS", 15);
  const dir = mkdtempSync(join(tmpdir(), "certflow-bench-cli-"));
  try {
    const all = contenders(dir);
    // One unmeasured run each: builds the bundle if a source changed, fills V8's compile cache
    // and the file cache, as any second use of the command finds them.
    for (const contender of all) once(contender);
    const times = new Map(all.map((contender) => [contender, [] as number[]]));
    // Side by side: each round runs every contender once, so a busy moment hits them all.
    for (let round = 0; round < runs; round++) {
      for (const contender of all) times.get(contender)?.push(once(contender));
    }
    const openssl = median(times.get(all[all.length - 1] as Contender) ?? []);
    console.log(
      formatTable(
        ["command", "runs", "median", "p90", "× openssl"],
        all.map((contender) => {
          const samples = times.get(contender) ?? [];
          return [
            contender.label,
            String(samples.length),
            formatMs(median(samples)),
            formatMs(quantile(samples, 0.9)),
            (median(samples) / openssl).toFixed(1),
          ];
        }),
      ),
    );
    const ours = median(times.get(all[0] as Contender) ?? []);
    const ratio = ours / openssl;
    console.log(
      `bin/certflow csr: ${formatMs(ours)} against openssl's ${formatMs(openssl)}: ${ratio.toFixed(1)}× (target at most ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? "met" : "NOT met"}). Runs: CERTFLOW_BENCH_CLI_RUNS=${runs}.`,
    );
    console.log(
      "npx starts npm first (its own start, on whatever node runs npm); node's empty script is the floor any Node.js tool starts from.",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
