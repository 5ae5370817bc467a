import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { type Needs, resourcesBuiltFor } from "../../functions/composition/needs.ts";

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

/** node:crypto's stand-in for functions that load no AWS SDK (see the file for why). */
export const CRYPTO_ON_FIRST_USE = "./infra/cdk/bundle-stubs/crypto-on-first-use.mjs";

/**
 * Whether a function's bundle loads node:crypto on first use: one whose needs name no AWS
 * resource starts no SDK client, so node:crypto would be most of its start. Every other function
 * loads it with its SDK clients anyway, and may use names the stand-in does not provide.
 */
export function loadsCryptoOnFirstUse(needs: Needs): boolean {
  return resourcesBuiltFor(needs).length === 0;
}

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
 * `entry` is repository-relative; `needs` are the function's declared needs.
 */
export function esbuildOptions(entry: string, outdir: string, needs: Needs): BuildOptions {
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
      ...(loadsCryptoOnFirstUse(needs) ? { "node:crypto": CRYPTO_ON_FIRST_USE } : {}),
    },
    legalComments: BUNDLING.legalComments,
    charset: BUNDLING.charset,
    banner: { js: BUNDLING.banner },
    logLevel: "error",
  };
}
