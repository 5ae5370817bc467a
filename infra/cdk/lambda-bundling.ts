import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

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

/**
 * How every function is bundled, in the terms both NodejsFunction and the esbuild API take.
 * ESM (the source is ESM), minified, no source maps (they would double the size), and the AWS
 * SDK left to the one in the Lambda runtime.
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
  // Some CommonJS dependencies call require(); ESM bundles need it provided.
  banner:
    "import { createRequire as __certflowRequire } from 'node:module'; const require = __certflowRequire(import.meta.url);",
} as const;

/**
 * The same bundle as the stack's NodejsFunction makes, as esbuild API options (for the bench
 * and the tests, which bundle without synthesizing the app). `entry` is repository-relative.
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [`${PROJECT_ROOT}${entry}`],
    absWorkingDir: PROJECT_ROOT,
    outfile,
    bundle: true,
    platform: BUNDLING.platform,
    target: BUNDLING.target,
    format: BUNDLING.format,
    minify: BUNDLING.minify,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.external],
    alias: { ...BUNDLING.alias },
    legalComments: BUNDLING.legalComments,
    charset: BUNDLING.charset,
    banner: { js: BUNDLING.banner },
    logLevel: "error",
  };
}
