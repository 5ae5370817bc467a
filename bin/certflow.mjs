#!/usr/bin/env node
// Launches the certflow command: the bundle `npm install` built into .build/cli (rebuilt here
// when a source is newer), on Node 24. bin/certflow starts this file with the Node 24 in
// node_modules directly; started by an older Node (the system one), it re-runs itself with
// that Node 24. Without esbuild (an install that skipped the dev dependencies) it runs the
// TypeScript sources, which starts slower.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major] = process.versions.node.split(".").map(Number);

if (major < 24) {
  const bundledNode = join(projectRoot, "node_modules", ".bin", "node");
  if (!existsSync(bundledNode)) {
    console.error(
      `certflow needs Node.js 24 or newer (this is ${process.versions.node}); run \`npm install\` in ${projectRoot} first.`,
    );
    process.exit(1);
  }
  const result = spawnSync(
    bundledNode,
    [fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  process.exit(result.status ?? 1);
}

const buildDir = join(projectRoot, ".build", "cli");

/** The bundle's main file when it is newer than every file it was built from. */
function freshBundle() {
  let current;
  try {
    current = JSON.parse(readFileSync(join(buildDir, "current.json"), "utf8"));
  } catch {
    return undefined;
  }
  for (const input of current.inputs) {
    try {
      if (statSync(join(projectRoot, input)).mtimeMs > current.builtAt) return undefined;
    } catch {
      return undefined;
    }
  }
  const main = join(buildDir, current.dir, "certflow.mjs");
  return existsSync(main) ? main : undefined;
}

async function bundle() {
  const fresh = freshBundle();
  if (fresh !== undefined) return fresh;
  try {
    const { buildCli } = await import("../scripts/build-cli.mjs");
    return await buildCli();
  } catch {
    return undefined;
  }
}

const main = await bundle();
if (main === undefined) {
  await import("../functions/cli/run-cli.ts");
} else {
  // V8's compiled code of the bundle is kept beside it, so later starts skip compiling it.
  try {
    module.enableCompileCache?.(join(buildDir, "compile-cache"));
  } catch {
    // A read-only checkout: start without the cache.
  }
  await import(pathToFileURL(main).href);
}
