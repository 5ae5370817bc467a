// The build folders scripts/build-cli.mjs and scripts/build-console.mjs leave beside the one
// current.json names: removed once a minute old, since a command or page started just before may
// still load its files.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every folder of `buildDir` but `keep` and those named in `alsoKeep`, once a minute old. */
export function removeOldBuilds(buildDir, keep, alsoKeep = []) {
  const cutoff = Date.now() - 60_000;
  for (const entry of readdirSync(buildDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep || alsoKeep.includes(entry.name)) continue;
    const path = join(buildDir, entry.name);
    try {
      if (statSync(path).mtimeMs < cutoff) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another build meanwhile.
    }
  }
}
