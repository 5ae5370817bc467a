// `npm run bench`: runs every section in order, or only those named with --only.
import { parseArgs } from "node:util";
import type { BenchSection } from "./bench-section.ts";
import * as acmeIssuance from "./sections/acme-issuance.ts";
import * as cliStart from "./sections/cli-start.ts";
import * as keyAndCsr from "./sections/key-and-csr.ts";
import * as lambdaBundles from "./sections/lambda-bundles.ts";
import * as load from "./sections/load.ts";
import * as orderWorkflow from "./sections/order-workflow.ts";
import * as parserFuzz from "./sections/parser-fuzz.ts";
import * as renewalScan from "./sections/renewal-scan.ts";

/** Add a section: write bench/sections/<name>.ts exporting name, description, run; list it here. */
const SECTIONS: readonly BenchSection[] = [
  keyAndCsr,
  cliStart,
  orderWorkflow,
  acmeIssuance,
  lambdaBundles,
  parserFuzz,
  renewalScan,
  load,
];

function selectedSections(args: string[]): readonly BenchSection[] {
  const { values } = parseArgs({
    args,
    options: { only: { type: "string", multiple: true }, list: { type: "boolean" } },
    strict: true,
  });
  if (values.list) {
    for (const section of SECTIONS) console.log(`${section.name}: ${section.description}`);
    process.exit(0);
  }
  if (values.only === undefined) return SECTIONS;
  const unknown = values.only.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `No bench section ${unknown.join(", ")}; there are: ${SECTIONS.map((section) => section.name).join(", ")}.`,
    );
  }
  return SECTIONS.filter((section) => values.only?.includes(section.name));
}

let sections: readonly BenchSection[];
try {
  sections = selectedSections(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  console.error("Usage: npm run bench [-- --only <section> ...] [-- --list]");
  process.exit(2);
}
console.log(`certflow bench on Node ${process.versions.node}, ${new Date().toISOString()}`);
for (const section of sections) {
  console.log(`\n== ${section.name}: ${section.description}`);
  const start = performance.now();
  await section.run();
  console.log(`(${section.name} took ${((performance.now() - start) / 1000).toFixed(1)} s)`);
}
