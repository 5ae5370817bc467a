import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadServiceCatalog } from "../../functions/composition/service-catalog.ts";
import {
  BUNDLE_MAIN,
  buildLambdaBundle,
  PROJECT_ROOT,
  sdkPackagesAtStart,
  startFilesOf,
} from "../../infra/cdk/lambda-bundling.ts";
import { type LambdaEntry, writeLambdaEntry } from "../../infra/cdk/lambda-entries.ts";
import { median, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "lambda-bundles";
export const description =
  "bundle size and module init (fresh Node process) of every Lambda function, built as the CDK stack builds it, next to the AWS SDK clients it uses loaded alone (target: ≤ 1 MB, init ≤ SDK clients alone + 30 ms)";

const SIZE_TARGET_BYTES = 1_000_000;
/** What certflow's own code may add to a function's init, over its AWS SDK clients alone. */
const ADDED_TARGET_MS = 30;

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
  CERTFLOW_DELIVERY_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111122223333/deliveries",
  CERTFLOW_MAIL_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/111122223333/mails",
  CERTFLOW_MAIL_CONFIGURATION_SET: "certflow",
};

/** What the stack adds for functions that talk to an ACME CA. */
const ACME_ENVIRONMENT = {
  CERTFLOW_CA: "acme",
  CERTFLOW_ACME_DIRECTORY_URL: "https://acme.ca.example/directory",
  CERTFLOW_ACME_CONTACT_EMAIL: "certificates@example.com",
};

/**
 * In one fresh Node process: imports the AWS SDK packages named on the command line, then the
 * bundle (the last argument), and prints how long each took. The SDK packages are then loaded
 * already, so the bundle's time is exactly what certflow's code adds to its function's init.
 *
 * Loading the SDK leaves megabytes of young objects behind, and the young generation is nearly
 * full when it is done or has room to spare depending on which packages loaded: the scavenge that
 * copies them (10-15 ms) then falls in the bundle's import or after it, whatever certflow's code
 * does. It is collected with the SDK (`gc({ type: "minor" })`, counted in its part), so what
 * certflow adds is certflow's own work and the collections its own allocations cause.
 */
const PROBE = `
const [bundle, ...sdk] = process.argv.slice(1).reverse();
const start = performance.now();
for (const name of sdk.reverse()) await import(name);
if (sdk.length > 0) gc({ type: "minor" });
const sdkLoaded = performance.now();
await import(bundle);
process.stdout.write(JSON.stringify([sdkLoaded - start, performance.now() - sdkLoaded]));
`;

interface InitSamples {
  /** The AWS SDK packages the bundle imports, alone (and the scavenge of what they left). */
  readonly sdk: number[];
  /** The bundle, once its SDK packages are loaded: what certflow adds. */
  readonly added: number[];
}

/** Times a bundle's init against its AWS SDK packages, `runs` fresh processes; medians are taken. */
function initSamples(
  runs: number,
  outfile: string,
  sdkPackages: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): InitSamples {
  const samples: InitSamples = { sdk: [], added: [] };
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(
      process.execPath,
      ["--expose-gc", "--input-type=module", "--eval", PROBE, ...sdkPackages, outfile],
      { cwd, env: { ...env, PATH: process.env.PATH }, encoding: "utf8" },
    );
    const [sdkMs, addedMs] = JSON.parse(output) as [number, number];
    samples.sdk.push(sdkMs);
    samples.added.push(addedMs);
  }
  return samples;
}

/** Every file of a bundle: its main file and the chunks it loads on first use. */
function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

interface Measured {
  readonly name: string;
  readonly kind: LambdaEntry["kind"];
  /** All its files, and the main file a function compiles when it starts. */
  readonly bytes: number;
  readonly mainBytes: number;
  readonly sdkPackages: string[];
  /** Medians: the whole init, the SDK packages' part of it, and what certflow's code adds. */
  readonly initMs: number;
  readonly sdkMs: number;
  readonly addedMs: number;
}

export async function run(): Promise<void> {
  const runs = runsFromEnv("BENCH_INIT_RUNS", 9);
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
    ...declared.consumers.map((consumer) => ({
      kind: "consumer" as const,
      name: consumer.declaration.name,
      declared: consumer,
    })),
  ];
  // BENCH_FUNCTIONS=WhoAmI,StoreCertificate measures only those (a comma-separated list).
  const only = process.env.BENCH_FUNCTIONS?.split(",").filter((name) => name !== "");
  // Functions that talk to the CA are built for the deployment's CA kind: measure both.
  const functions = catalog
    .filter((fn) => only === undefined || only.includes(fn.name))
    .flatMap((fn) =>
      fn.declared.declaration.needs.ca === true
        ? [
            { ...fn, ca: "embedded" as const },
            { ...fn, ca: "acme" as const },
          ]
        : [{ ...fn, ca: "embedded" as const }],
    );

  const measured: Measured[] = [];
  try {
    // Each function gets its own bundle from its generated entry, as the stack builds it.
    const built = functions.map((fn) => {
      const key = fn.ca === "acme" ? `${fn.name}-acme` : fn.name;
      const bundleDir = join(outDir, key);
      const outfile = join(bundleDir, BUNDLE_MAIN);
      buildLambdaBundle(writeLambdaEntry(fn, fn.ca), bundleDir);
      const env = { ...ENVIRONMENT, ...(fn.ca === "acme" ? ACME_ENVIRONMENT : {}) };
      const samples: InitSamples = { sdk: [], added: [] };
      return { fn, bundleDir, outfile, env, sdkPackages: sdkPackagesAtStart(outfile), samples };
    });
    // Round by round, every function once a round: a burst of other work on the machine costs
    // each function one sample of its nine, not one function all of them.
    for (let run = 0; run < runs; run++) {
      for (const { outfile, sdkPackages, env, samples } of built) {
        const sample = initSamples(1, outfile, sdkPackages, env, outDir);
        samples.sdk.push(...sample.sdk);
        samples.added.push(...sample.added);
      }
    }
    for (const { fn, bundleDir, outfile, sdkPackages, samples } of built) {
      measured.push({
        name: fn.ca === "acme" ? `${fn.name} (ACME)` : fn.name,
        kind: fn.kind,
        bytes: filesOf(bundleDir).reduce((sum, file) => sum + statSync(file).size, 0),
        mainBytes: startFilesOf(outfile).reduce((sum, file) => sum + statSync(file).size, 0),
        sdkPackages,
        initMs: median(samples.sdk.map((ms, index) => ms + (samples.added[index] ?? Number.NaN))),
        sdkMs: median(samples.sdk),
        addedMs: median(samples.added),
      });
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }

  const rows = measured.map((fn) => {
    const verdict = [
      fn.bytes <= SIZE_TARGET_BYTES ? "" : "size",
      fn.addedMs <= ADDED_TARGET_MS ? "" : "init",
    ].filter((miss) => miss !== "");
    const sdkNames = fn.sdkPackages.map((name) =>
      name.replace("@aws-sdk/client-", "").replace("@aws-sdk/", ""),
    );
    return [
      fn.name,
      fn.kind,
      `${(fn.bytes / 1000).toFixed(0)} kB (${(fn.mainBytes / 1000).toFixed(0)} kB at start)`,
      `${fn.initMs.toFixed(0)} ms`,
      `${fn.sdkMs.toFixed(0)} ms (${sdkNames.join(", ") || "none"})`,
      `${fn.addedMs.toFixed(0)} ms`,
      verdict.length === 0 ? "ok" : `over: ${verdict.join(", ")}`,
    ];
  });
  console.log(
    formatTable(
      [
        "function",
        "kind",
        "bundle",
        "init",
        "AWS SDK clients alone",
        "added by certflow",
        `target (≤ ${SIZE_TARGET_BYTES / 1_000_000} MB, ≤ ${ADDED_TARGET_MS} ms added)`,
      ],
      rows,
    ),
  );
  const largest = measured.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const most = measured.reduce((a, b) => (b.addedMs > a.addedMs ? b : a));
  console.log(
    `\nMedians of ${runs} fresh Node processes each (BENCH_INIT_RUNS), taken in rounds of one process per function. In each, the function's AWS SDK clients are imported first (and what their load left in the young generation collected with them), then its bundle: "added by certflow" is the bundle's import with the SDK already loaded, "init" the two together (Node's own start not counted). The AWS SDK clients come from node_modules here (on Lambda: from the runtime; certflow's code does not control that part).`,
  );
  console.log(
    `${measured.length} functions; largest bundle ${(largest.bytes / 1000).toFixed(0)} kB (${largest.name}); most added by certflow ${most.addedMs.toFixed(0)} ms (${most.name}); ${measured.filter((fn) => fn.addedMs > ADDED_TARGET_MS || fn.bytes > SIZE_TARGET_BYTES).length} over target.`,
  );
}
