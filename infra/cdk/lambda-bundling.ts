import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { AWS_ENVIRONMENT, WIRING_FLAGS, type Wiring } from "../../functions/aws/aws-environment.ts";

/** The repository root: entries, the lock file and node_modules are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const STEP_ENTRY = "functions/aws/entries/step-entry.ts";
export const ROUTE_ENTRY = "functions/aws/entries/route-entry.ts";

/** Set at bundle time to the deployment's CA kind; unset when code runs unbundled. */
export const BUNDLED_CA_DEFINE = "CERTFLOW_BUNDLED_CA";

/** Leaves only the zod members the functions use in each bundle (see that file). */
export const ZOD_ALIAS = "./functions/aws/zod-lean.ts";

/** Packages some dependencies load but certflow never uses, replaced by small stand-ins. */
export const LEFT_OUT_PACKAGES = {
  "node-forge": "./functions/aws/bundle-stubs/node-forge.cjs",
  "mime-db": "./functions/aws/bundle-stubs/mime-db.cjs",
} as const;

/**
 * How every function is bundled, in the terms both NodejsFunction and the esbuild API take.
 * ESM for top-level await (dependencies are built during init), minified, no source maps
 * (they would double the size), and the AWS SDK left to the one in the Lambda runtime.
 */
export const BUNDLING = {
  target: "node24",
  format: "esm",
  platform: "node",
  minify: true,
  mainFields: ["module", "main"],
  external: ["@aws-sdk/*"],
  alias: { zod: ZOD_ALIAS, ...LEFT_OUT_PACKAGES },
  legalComments: "none",
  charset: "utf8",
  // Some CommonJS dependencies call require(); ESM bundles need it provided.
  banner:
    "import { createRequire as __certflowRequire } from 'node:module'; const require = __certflowRequire(import.meta.url);",
} as const;

/**
 * The constants esbuild substitutes: which resources this function is built with, and the
 * function's name (functions/aws/route-handlers.ts and step-loader.ts keep only its code).
 */
export function wiringDefines(
  wiring: Record<Wiring, boolean>,
  functionName?: string,
  caKind?: string,
): Record<string, string> {
  const defines: Record<string, string> = {};
  if (caKind !== undefined) {
    // functions/aws/wiring/certificate-authority.ts keeps only this CA's adapter.
    defines[`process.env.${BUNDLED_CA_DEFINE}`] = JSON.stringify(caKind);
  }
  if (functionName !== undefined) {
    defines[`process.env.${AWS_ENVIRONMENT.functionName}`] = JSON.stringify(functionName);
  }
  for (const [resource, flag] of Object.entries(WIRING_FLAGS)) {
    defines[`process.env.${flag}`] = JSON.stringify(wiring[resource as Wiring] ? "yes" : "no");
  }
  return defines;
}

/** The same flags as environment variables (for the console, and for runs without a bundle). */
export function wiringEnvironment(wiring: Record<Wiring, boolean>): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [resource, flag] of Object.entries(WIRING_FLAGS)) {
    environment[flag] = wiring[resource as Wiring] ? "yes" : "no";
  }
  return environment;
}

/**
 * The same bundle as the stack's NodejsFunction makes, as esbuild API options (for the bench
 * and the tests, which bundle without synthesizing the app).
 */
export function esbuildOptions(
  entry: string,
  wiring: Record<Wiring, boolean>,
  outfile: string,
  functionName?: string,
  caKind?: string,
): BuildOptions {
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
    define: wiringDefines(wiring, functionName, caKind),
    logLevel: "error",
  };
}
