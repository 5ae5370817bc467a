import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { KEY_TYPES, type KeyType } from "../../functions/domain/key-types.ts";
import { buildCsr } from "../../functions/pki/csr-build.ts";
import { generateKeyPair } from "../../functions/pki/key-pairs.ts";
import { formatMs, median, quantile, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "key-and-csr";
export const description =
  "key generation + CSR per key type: certflow (in process) next to openssl req (one process per run)";

const OPENSSL_NEWKEY: Record<KeyType, string[]> = {
  "EC-P256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  "EC-P384": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  "RSA-2048": ["-newkey", "rsa:2048"],
  "RSA-3072": ["-newkey", "rsa:3072"],
  "RSA-4096": ["-newkey", "rsa:4096"],
};

async function certflowOnce(keyType: KeyType): Promise<number> {
  const start = performance.now();
  const keys = await generateKeyPair(keyType);
  await buildCsr({ keys, names: ["bench.example.com"] });
  return performance.now() - start;
}

function opensslOnce(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - start;
  if (result.error !== undefined) throw new Error(`Cannot run openssl: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr}`);
  return elapsed;
}

const opensslReq = (keyType: KeyType) => [
  "req",
  "-new",
  ...OPENSSL_NEWKEY[keyType],
  "-nodes",
  "-subj",
  "/CN=bench.example.com",
  "-keyout",
  "/dev/null",
  "-out",
  "/dev/null",
];

export async function run(): Promise<void> {
  const ecRuns = runsFromEnv("CERTFLOW_BENCH_EC_RUNS", 15);
  const rsaRuns = runsFromEnv("CERTFLOW_BENCH_RSA_RUNS", 7);
  const rows: string[][] = [];
  for (const keyType of KEY_TYPES) {
    const runs = keyType.startsWith("EC") ? ecRuns : rsaRuns;
    // One unmeasured run each warms up the JIT, the module graph and the file cache.
    await certflowOnce(keyType);
    opensslOnce(opensslReq(keyType));
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let index = 0; index < runs; index++) {
      ours.push(await certflowOnce(keyType));
      theirs.push(opensslOnce(opensslReq(keyType)));
    }
    rows.push([
      keyType,
      String(runs),
      formatMs(median(ours)),
      formatMs(quantile(ours, 0.9)),
      formatMs(median(theirs)),
      formatMs(quantile(theirs, 0.9)),
      (median(ours) / median(theirs)).toFixed(2),
    ]);
  }
  const startup = Array.from({ length: 5 }, () => opensslOnce(["version"]));
  console.log(
    formatTable(
      [
        "key type",
        "runs",
        "certflow median",
        "certflow p90",
        "openssl median",
        "openssl p90",
        "certflow/openssl",
      ],
      rows,
    ),
  );
  console.log(
    `openssl times include starting the process (median ${formatMs(median(startup))} for 'openssl version'). Runs: CERTFLOW_BENCH_EC_RUNS=${ecRuns}, CERTFLOW_BENCH_RSA_RUNS=${rsaRuns}.`,
  );
  console.log("RSA key generation searches for random primes: expect wide spreads (compare p90s).");
}
