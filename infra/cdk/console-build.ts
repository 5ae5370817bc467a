// The web console's current build, as scripts/build-console.mjs leaves it: a folder of its own
// under .build/console, named by current.json (replaced whole, so never half a build).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CONSOLE_BUILD_DIR = fileURLToPath(new URL("../../.build/console", import.meta.url));

/** The files every build holds (index.html loads the other two). */
export const CONSOLE_FILES = ["index.html", "console.js", "console.css"] as const;

export class ConsoleNotBuilt extends Error {
  override readonly name = "ConsoleNotBuilt";
}

/** The folder of the current build; throws ConsoleNotBuilt when there is none to deploy. */
export function currentConsoleBuild(buildDir: string = CONSOLE_BUILD_DIR): string {
  const notBuilt = (why: string) =>
    new ConsoleNotBuilt(
      `The web console is not built (${why}): run \`npm install\` (it builds the console into .build/console), then synthesize again.`,
    );
  let dir: unknown;
  try {
    dir = (JSON.parse(readFileSync(join(buildDir, "current.json"), "utf8")) as { dir?: unknown })
      .dir;
  } catch {
    throw notBuilt(`no readable ${join(buildDir, "current.json")}`);
  }
  if (typeof dir !== "string" || !/^[a-z0-9-]+$/.test(dir)) {
    throw notBuilt("current.json names no build folder");
  }
  const folder = join(buildDir, dir);
  const missing = CONSOLE_FILES.filter((file) => !existsSync(join(folder, file)));
  if (missing.length > 0) throw notBuilt(`${folder} lacks ${missing.join(", ")}`);
  return folder;
}
