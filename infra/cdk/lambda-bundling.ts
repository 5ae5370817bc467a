import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, buildSync } from "esbuild";

/** The repository root: entries, the lock file and node_modules are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Packages a dependency loads but certflow never calls, replaced by small stand-ins in bundles
 * only (see each stub for why): acme-client's legacy node-forge helpers and form-data's MIME
 * table. Nothing else differs between bundled and unbundled code.
 */
export const LEFT_OUT_PACKAGES = {
  "node-forge": "./infra/cdk/bundle-stubs/node-forge.cjs",
  "mime-db": "./infra/cdk/bundle-stubs/mime-db.cjs",
} as const;

/** node:crypto's stand-in for functions that start no AWS SDK client (see the file for why). */
export const CRYPTO_ON_FIRST_USE = "./infra/cdk/bundle-stubs/crypto-on-first-use.mjs";

/**
 * How every function is bundled. ESM (the source is ESM), minified, no source maps (they would
 * double the size), and the AWS SDK left to the one in the Lambda runtime.
 */
export const BUNDLING = {
  target: "node24",
  format: "esm",
  platform: "node",
  minify: true,
  mainFields: ["module", "main"],
  external: ["@aws-sdk/*"],
  alias: { ...LEFT_OUT_PACKAGES },
  legalComments: "none",
  charset: "utf8",
  // Some CommonJS dependencies call require(); ESM bundles need it provided. It is made on first
  // use: most files never call it, and node:module would otherwise load as every function starts.
  banner:
    "var __certflowRequireFn; const require = new Proxy(function () {}, { apply: (_, self, args) => Reflect.apply(__certflowRequire(), self, args), get: (_, key) => Reflect.get(__certflowRequire(), key) }); function __certflowRequire() { return (__certflowRequireFn ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)); }",
} as const;

/** The file Lambda loads in a bundle's folder; its handler is `index.handler`. */
export const BUNDLE_MAIN = "index.mjs";

/**
 * A function's bundle, as the stack, the bench and the tests build it into `outdir`: the main
 * file `index.mjs`, and beside it in `chunks/` what the code loads on first use (acme-client,
 * @peculiar/x509, pkijs, …), so a function starting compiles only what it runs at once.
 * `entry` is repository-relative. `cryptoOnFirstUse` gives the bundle node:crypto's stand-in.
 */
export function esbuildOptions(
  entry: string,
  outdir: string,
  options: { readonly cryptoOnFirstUse?: boolean } = {},
): BuildOptions {
  return {
    entryPoints: [{ in: `${PROJECT_ROOT}${entry}`, out: "index" }],
    absWorkingDir: PROJECT_ROOT,
    outdir,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.external],
    alias: {
      ...BUNDLING.alias,
      ...(options.cryptoOnFirstUse === true ? { "node:crypto": CRYPTO_ON_FIRST_USE } : {}),
    },
    legalComments: BUNDLING.legalComments,
    charset: BUNDLING.charset,
    banner: { js: BUNDLING.banner },
    logLevel: "error",
  };
}

/**
 * The files a function loads as it starts: the main file and the chunks it imports statically,
 * and theirs (chunks loaded on first use are left out).
 */
export function startFilesOf(mainFile: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      if (match[1] !== undefined) visit(join(dirname(file), match[1]));
    }
  };
  visit(mainFile);
  return [...seen];
}

/**
 * The AWS SDK packages a function loads as it starts (left external to the runtime's copy, so
 * named in the import statements of its start files): its clients, and lib-dynamodb's document
 * client where it uses one. A package it imports only on first use (`import("@aws-sdk/…")`, or
 * in a chunk loaded on first use) is not loaded at start, so not counted.
 */
export function sdkPackagesAtStart(mainFile: string): string[] {
  const names = new Set<string>();
  for (const file of startFilesOf(mainFile)) {
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/(?:from|import)\s*["'](@aws-sdk\/[a-z0-9-]+)["']/g)) {
      if (match[1] !== undefined) names.add(match[1]);
    }
  }
  return [...names].sort();
}

/**
 * Builds a function's bundle into `outdir` (emptied first). A function that starts no AWS SDK
 * client is built again with node:crypto's stand-in: the SDK loads node:crypto anyway, so only
 * there is it worth leaving to the first call, and only there is it most of the start. The
 * stand-in has a few names only: a bundle that would read another from it by name (a named
 * import, a namespace's static member) or take it whole (any require() of it) fails to build
 * instead of failing as it runs.
 */
export function buildLambdaBundle(entry: string, outdir: string): void {
  const buildInto = (cryptoOnFirstUse: boolean) => {
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    return buildSync({ ...esbuildOptions(entry, outdir, { cryptoOnFirstUse }), metafile: true });
  };
  buildInto(false);
  const clients = sdkPackagesAtStart(join(outdir, BUNDLE_MAIN)).filter((name) =>
    name.startsWith("@aws-sdk/client-"),
  );
  if (clients.length > 0) return;
  const { metafile, warnings } = buildInto(true);
  const standIn = CRYPTO_ON_FIRST_USE.replace(/^\.\//, "");
  const refuse = (why: string): never => {
    throw new Error(
      `${entry}: ${why}, which node:crypto's stand-in (${CRYPTO_ON_FIRST_USE}) cannot answer: give the function node:crypto itself.`,
    );
  };
  // esbuild only warns of a name a module does not export (the read gives undefined).
  for (const warning of warnings) {
    if (warning.id === "import-is-undefined" && warning.text.includes(standIn)) {
      refuse(`${warning.location?.file ?? "a file"}: ${warning.text}`);
    }
  }
  for (const [importer, input] of Object.entries(metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.path === standIn && imported.kind !== "import-statement") {
        refuse(`${importer} takes node:crypto with ${imported.kind}`);
      }
    }
  }
}
