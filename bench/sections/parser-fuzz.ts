import { performance } from "node:perf_hooks";
import { parseCertificate } from "../../functions/pki/certificate-info.ts";
import { buildCsr } from "../../functions/pki/csr-build.ts";
import { verifyCsr } from "../../functions/pki/csr-verify.ts";
import { generateKeyPair } from "../../functions/pki/key-pairs.ts";
import { parsePemBlocks } from "../../functions/pki/pem.ts";
import {
  asPem,
  MUTATION_KINDS,
  mutateDer,
  seededRandom,
} from "../../test/support/der-mutations.ts";
import { formatMs, median, quantile, runsFromEnv } from "../stats.ts";
import { formatTable } from "../table.ts";

export const name = "parser-fuzz";
export const description =
  "time per mutated DER or PEM input through verifyCsr and the certificate parser certflow inspect uses (target: every input ≤ 100 ms)";

const TARGET_MS = 100;

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  try {
    await run();
  } catch {
    // A refusal is an answer too: only the time counts here.
  }
  return performance.now() - start;
}

export async function run(): Promise<void> {
  const inputs = runsFromEnv("BENCH_FUZZ_INPUTS", 10_000);
  const names = ["shop.example.com", "www.shop.example.com"];
  const csrPem = await buildCsr({ keys: await generateKeyPair("EC-P256"), names });
  const csrDer = parsePemBlocks(csrPem)[0]?.der ?? new Uint8Array();
  const random = seededRandom(2026);
  const byKind = new Map<string, number[]>(MUTATION_KINDS.map((kind) => [kind, []]));
  const all: number[] = [];
  for (let index = 0; index < inputs; index++) {
    const der = mutateDer(csrDer, index, random);
    const input = index % 2 === 0 ? der : asPem(der, "CERTIFICATE REQUEST");
    const ms = await timed(async () => {
      await verifyCsr(input, names);
      parseCertificate(der);
    });
    all.push(ms);
    byKind.get(MUTATION_KINDS[index % MUTATION_KINDS.length] ?? "")?.push(ms);
  }
  const rows = [...byKind].map(([kind, samples]) => [
    kind,
    String(samples.length),
    formatMs(median(samples)),
    formatMs(quantile(samples, 0.99)),
    formatMs(Math.max(...samples)),
  ]);
  console.log(formatTable(["mutation", "inputs", "median", "p99", "max"], rows));
  const slowest = Math.max(...all);
  console.log(
    `\n${inputs} inputs; slowest ${formatMs(slowest)} (${slowest <= TARGET_MS ? "within" : "OVER"} the ${TARGET_MS} ms target).`,
  );
}
