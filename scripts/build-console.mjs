// Bundles the web console (console/src/main.tsx, Preact) into .build/console: index.html,
// console.js and console.css, with the order rules of functions/domain compiled in so the
// browser checks names and fields exactly as the API does. `npm install` runs it (the `prepare`
// script), and `npm start` runs it again when a source is newer than the bundle.
//
// Each build goes into a folder of its own under .build/console/, and current.json (replaced
// whole) names it with the files it was built from, so a service serving the previous build
// never sees half a new one. Plain JavaScript: it runs on any Node that runs npm.
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { removeOldBuilds } from "./old-builds.mjs";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CONSOLE_BUILD_DIR = join(PROJECT_ROOT, ".build", "console");
export const CURRENT_FILE = join(CONSOLE_BUILD_DIR, "current.json");
const ENTRY = "console/src/main.tsx";
const PAGE = "console/index.html";

/** Files whose change makes a bundle stale besides its sources. */
const ALSO_WATCHED = [PAGE, "package.json", "package-lock.json", "scripts/build-console.mjs"];

/** The Node built-ins the domain rules import, and the browser stand-ins bundled instead. */
const BROWSER_STAND_INS = { "node:url": "console/src/shims/node-url.ts" };

/** Builds the console; returns the folder holding index.html, console.js and console.css. */
export async function buildConsole() {
  const { build } = await import("esbuild");
  mkdirSync(CONSOLE_BUILD_DIR, { recursive: true });
  const builtAt = Date.now();
  const id = `${builtAt.toString(36)}-${randomBytes(4).toString("hex")}`;
  const outdir = join(CONSOLE_BUILD_DIR, id);
  const result = await build({
    entryPoints: [{ in: join(PROJECT_ROOT, ENTRY), out: "console" }],
    absWorkingDir: PROJECT_ROOT,
    outdir,
    bundle: true,
    platform: "browser",
    target: ["chrome120", "firefox120", "safari17"],
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    logLevel: "error",
    plugins: [
      {
        name: "browser-stand-ins",
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^node:/ }, (args) => {
            const standIn = BROWSER_STAND_INS[args.path];
            if (standIn === undefined) {
              return {
                errors: [
                  { text: `${args.path} has no browser stand-in (imported by ${args.importer})` },
                ],
              };
            }
            return { path: join(PROJECT_ROOT, standIn) };
          });
        },
      },
    ],
  });
  copyFileSync(join(PROJECT_ROOT, PAGE), join(outdir, "index.html"));
  const sources = Object.keys(result.metafile.inputs)
    .filter((input) => !input.split(/[\\/]/).includes("node_modules"))
    .map((input) => relative(PROJECT_ROOT, join(PROJECT_ROOT, input)).split(sep).join("/"));
  const current = { dir: id, builtAt, inputs: [...new Set([...sources, ...ALSO_WATCHED])].sort() };
  const temporary = `${CURRENT_FILE}.${id}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(current, null, 1)}\n`);
  renameSync(temporary, CURRENT_FILE);
  removeOldBuilds(CONSOLE_BUILD_DIR, id);
  return outdir;
}

/** The current build's folder when no file it was built from changed since; else undefined. */
export function freshConsole() {
  let current;
  try {
    current = JSON.parse(readFileSync(CURRENT_FILE, "utf8"));
  } catch {
    return undefined;
  }
  for (const input of current.inputs) {
    try {
      if (statSync(join(PROJECT_ROOT, input)).mtimeMs > current.builtAt) return undefined;
    } catch {
      return undefined;
    }
  }
  const dir = join(CONSOLE_BUILD_DIR, current.dir);
  try {
    statSync(join(dir, "console.js"));
  } catch {
    return undefined;
  }
  return dir;
}

/** The current build, built first when it is missing or stale; `built` says whether it was. */
export async function ensureConsole() {
  const fresh = freshConsole();
  if (fresh !== undefined) return { dir: fresh, built: false };
  return { dir: await buildConsole(), built: true };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const dir = await buildConsole();
    console.log(`certflow: web console bundled into ${relative(process.cwd(), dir)}`);
  } catch (error) {
    // Never fails an install: npm start builds it again, and the API works without it.
    console.error(
      `certflow: could not bundle the web console (${error instanceof Error ? error.message : String(error)}); npm start tries again.`,
    );
  }
}
