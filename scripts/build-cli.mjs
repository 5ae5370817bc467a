// Bundles the certflow command (functions/cli/run-cli.ts) for a fast start: one ESM file plus
// chunks that load with the command that needs them, so `certflow csr` never parses the
// PKCS#12 or HTTP code, and nothing is type-stripped at start. `npm install` runs it (the
// `prepare` script); bin/certflow.mjs runs it again when a source is newer than the bundle.
//
// Each build goes into a folder of its own under .build/cli/, and current.json (replaced whole)
// names it with the files it was built from; a command starting while another process builds
// uses the previous bundle or its own. Plain JavaScript: it runs on any Node that runs npm.
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { removeOldBuilds } from "./old-builds.mjs";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CLI_BUILD_DIR = join(PROJECT_ROOT, ".build", "cli");
export const CURRENT_FILE = join(CLI_BUILD_DIR, "current.json");
const ENTRY = "functions/cli/run-cli.ts";

/** Files whose change makes a bundle stale besides its sources: what decides the dependencies. */
const ALSO_WATCHED = ["package.json", "package-lock.json", "scripts/build-cli.mjs"];

/** Builds the bundle; returns the path of its main file. */
export async function buildCli() {
  const { build } = await import("esbuild");
  mkdirSync(CLI_BUILD_DIR, { recursive: true });
  const builtAt = Date.now();
  const id = `${builtAt.toString(36)}-${randomBytes(4).toString("hex")}`;
  const outdir = join(CLI_BUILD_DIR, id);
  const result = await build({
    entryPoints: [{ in: join(PROJECT_ROOT, ENTRY), out: "certflow" }],
    absWorkingDir: PROJECT_ROOT,
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    platform: "node",
    target: "node24",
    format: "esm",
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    logLevel: "error",
    // Some CommonJS dependencies call require(); an ESM bundle has to provide it.
    banner: {
      js: "import { createRequire as __certflowRequire } from 'node:module'; const require = __certflowRequire(import.meta.url);",
    },
  });
  const sources = Object.keys(result.metafile.inputs)
    .filter((input) => !input.split(/[\\/]/).includes("node_modules"))
    .map((input) => relative(PROJECT_ROOT, join(PROJECT_ROOT, input)).split(sep).join("/"));
  const current = { dir: id, builtAt, inputs: [...new Set([...sources, ...ALSO_WATCHED])].sort() };
  const temporary = `${CURRENT_FILE}.${id}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(current, null, 1)}\n`);
  renameSync(temporary, CURRENT_FILE);
  removeOldBuilds(CLI_BUILD_DIR, id, ["compile-cache"]);
  return join(outdir, "certflow.mjs");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const main = await buildCli();
    console.log(`certflow: command bundled into ${relative(process.cwd(), main)}`);
  } catch (error) {
    // Never fails an install: bin/certflow.mjs runs the sources when there is no bundle.
    console.error(
      `certflow: could not bundle the command (${error instanceof Error ? error.message : String(error)}); it runs from the sources instead, starting slower.`,
    );
  }
}
