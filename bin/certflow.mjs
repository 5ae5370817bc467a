#!/usr/bin/env node
// Launches the certflow CLI on Node 24. When started by an older Node (for example the system
// one), it re-runs itself with the Node 24 that `npm install` placed in node_modules/.bin.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

const { main, endQuietlyOnClosedPipe } = await import("../functions/cli/main.ts");
endQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
