import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import { esbuildOptions, PROJECT_ROOT } from "../../infra/cdk/lambda-bundling.ts";
import { type LambdaEntry, writeLambdaEntry } from "../../infra/cdk/lambda-entries.ts";
import { median, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "lambda-bundles";
export const description =
  "bundle size and module-init time (fresh Node process) of every Lambda function, built as the CDK stack builds it (target: ≤ 1 MB, ≤ 100 ms)";

const SIZE_TARGET_BYTES = 1_000_000;
const INIT_TARGET_MS = 100;

/** What the stack would set; fake values, nothing is called while a module starts. */
const ENVIRONMENT = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  POWERTOOLS_LOG_LEVEL: "ERROR",
  POWERTOOLS_SERVICE_NAME: "certflow",
  POWERTOOLS_METRICS_NAMESPACE: "certflow",
  CERTFLOW_PUBLIC_API_URL: "https://api.example/prod",
  CERTFLOW_TABLE_NAME: "orders",
  CERTFLOW_BUCKET_NAME: "vault",
  CERTFLOW_KMS_KEY_ID: "arn:aws:kms:eu-west-1:111122223333:key/bench",
  CERTFLOW_MASTER_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:bench-AbCdEf",
  CERTFLOW_SENDER: "certificates@example.com",
  CERTFLOW_STATE_MACHINE_ARN: "arn:aws:states:eu-west-1:111122223333:stateMachine:orders",
};

/** What the stack adds for functions that talk to an ACME CA. */
const ACME_ENVIRONMENT = {
  CERTFLOW_CA: "acme",
  CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
  CERTFLOW_ACME_CONTACT_EMAIL: "certificates@example.com",
};

/**
 * Imports the modules named on the command line, in order, and prints how long that took: a
 * bundle's module init, or the SDK clients a bundle uses, alone.
 */
const PROBE = `
const start = performance.now();
for (const name of process.argv.slice(1)) await import(name);
process.stdout.write(String(performance.now() - start));
`;

/** Milliseconds the imports take, each run in a fresh Node process. */
function importTimes(
  runs: number,
  modules: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
) {
  const times: number[] = [];
  for (let attempt = 0; attempt < runs; attempt++) {
    const output = execFileSync(
      process.execPath,
      ["--input-type=module", "--eval", PROBE, ...modules],
      {
        cwd,
        env: { ...env, PATH: process.env.PATH },
        encoding: "utf8",
      },
    );
    times.push(Number(output));
  }
  return times;
}

/** The AWS SDK clients a bundle loads (left external, so named in its import statements). */
function sdkClientsOf(outfile: string): string[] {
  const source = readFileSync(outfile, "utf8");
  const names = new Set<string>();
  for (const match of source.matchAll(/["'](@aws-sdk\/client-[a-z0-9-]+)["']/g)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names].sort();
}

interface Measured {
  readonly name: string;
  readonly kind: LambdaEntry["kind"];
  readonly bytes: number;
  readonly initMs: number[];
  readonly sdkClients: string[];
}

export async function run(): Promise<void> {
  const runs = runsFromEnv("BENCH_INIT_RUNS", 5);
  // Inside the project, so the SDK (left to the Lambda runtime) resolves from node_modules as
  // it does from the runtime's own copy.
  const outDir = join(PROJECT_ROOT, "node_modules", ".certflow-bench-bundles");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const declared = await loadServiceCatalog();
  const catalog: LambdaEntry[] = [
    ...declared.steps.map((step) => ({
      kind: "step" as const,
      name: step.declaration.state,
      declared: step,
    })),
    ...declared.routes.map((route) => ({
      kind: "route" as const,
      name: route.declaration.name,
      declared: route,
    })),
    ...declared.schedules.map((schedule) => ({
      kind: "schedule" as const,
      name: schedule.declaration.name,
      declared: schedule,
    })),
    ...declared.deployTasks.map((task) => ({
      kind: "deployTask" as const,
      name: task.declaration.name,
      declared: task,
    })),
  ];
  // Functions that talk to the CA are built for the deployment's CA kind: measure both.
  const functions = catalog.flatMap((fn) =>
    fn.declared.declaration.needs.ca === true
      ? [
          { ...fn, ca: "embedded" as const },
          { ...fn, ca: "acme" as const },
        ]
      : [{ ...fn, ca: "embedded" as const }],
  );

  const built = new Map<string, string>();
  const measured: Measured[] = [];
  const sdkFloors = new Map<string, number>();
  try {
    for (const fn of functions) {
      // Each function gets its own bundle from its generated entry, as the stack builds it.
      const key = fn.ca === "acme" ? `${fn.name}-acme` : fn.name;
      let outfile = built.get(key);
      if (outfile === undefined) {
        outfile = join(outDir, key, "index.mjs");
        await build(esbuildOptions(writeLambdaEntry(fn, fn.ca), outfile));
        built.set(key, outfile);
      }
      const initMs = importTimes(
        runs,
        [outfile],
        { ...ENVIRONMENT, ...(fn.ca === "acme" ? ACME_ENVIRONMENT : {}) },
        outDir,
      );
      measured.push({
        name: fn.ca === "acme" ? `${fn.name} (ACME)` : fn.name,
        kind: fn.kind,
        bytes: statSync(outfile).size,
        initMs,
        sdkClients: sdkClientsOf(outfile),
      });
    }
    for (const fn of measured) {
      const key = fn.sdkClients.join(" ");
      if (sdkFloors.has(key)) continue;
      sdkFloors.set(key, median(importTimes(runs, fn.sdkClients, ENVIRONMENT, outDir)));
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  const rows = measured.map((fn) => {
    const init = median(fn.initMs);
    const verdict = [
      fn.bytes <= SIZE_TARGET_BYTES ? "" : "size",
      init <= INIT_TARGET_MS ? "" : "init",
    ].filter((miss) => miss !== "");
    return [
      fn.name,
      fn.kind,
      `${(fn.bytes / 1000).toFixed(0)} kB`,
      `${init.toFixed(0)} ms`,
      `${Math.min(...fn.initMs).toFixed(0)}-${Math.max(...fn.initMs).toFixed(0)} ms`,
      `${(sdkFloors.get(fn.sdkClients.join(" ")) ?? 0).toFixed(0)} ms (${fn.sdkClients.map((name) => name.replace("@aws-sdk/client-", "")).join(", ") || "none"})`,
      verdict.length === 0 ? "ok" : `over: ${verdict.join(", ")}`,
    ];
  });
  console.log(
    formatTable(
      [
        "function",
        "kind",
        "bundle",
        `init (median of ${runs})`,
        "range",
        "of which SDK clients alone",
        "target",
      ],
      rows,
    ),
  );
  const sizes = measured.map((fn) => fn.bytes);
  const inits = measured.map((fn) => median(fn.initMs));
  const floors = [...sdkFloors.values()];
  console.log(
    `\nThe AWS SDK clients a function uses take ${Math.min(...floors).toFixed(0)}-${Math.max(...floors).toFixed(0)} ms to load on their own here (Lambda provides them; certflow's code does not control that part).`,
  );
  console.log(
    `${measured.length} functions, ${built.size} distinct bundles; largest ${(Math.max(...sizes) / 1000).toFixed(0)} kB, slowest init ${Math.max(...inits).toFixed(0)} ms. Init is the import of the bundle on this machine, AWS SDK clients loaded from node_modules (on Lambda: from the runtime).`,
  );
}
