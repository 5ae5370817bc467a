import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "../../../../functions/lambda/zod-lean.ts";
import { fakeLambdaContext } from "../../../../functions/lambda/fake-lambda-context.ts";
import { esbuildOptions, PROJECT_ROOT, STEP_ENTRY } from "../../../../infra/cdk/lambda-bundling.ts";

const outDir = mkdtempSync(join(PROJECT_ROOT, "node_modules", ".certflow-bundle-test-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const none = { store: false, vault: false, mailer: false, dcv: false, ca: false, workflow: false };

async function bundle(name: string, wiring: typeof none) {
  const outfile = join(outDir, `${name}.mjs`);
  await build(esbuildOptions(STEP_ENTRY, wiring, outfile));
  return { outfile, text: readFileSync(outfile, "utf8") };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("Lambda bundles", () => {
  it("carry the SDK client of a resource only when the function is given it", async () => {
    const bare = await bundle("bare", none);
    expect(bare.text).not.toMatch(/@aws-sdk\//);
    const withStore = await bundle("store", { ...none, store: true });
    expect(withStore.text).toMatch(/from\s*"@aws-sdk\/client-dynamodb"/);
    expect(withStore.text).not.toMatch(/@aws-sdk\/client-s3/);
  }, 60_000);

  it("run a step: input parsed by the lean zod, resources it lacks refused by name", async () => {
    const { outfile } = await bundle("run", none);
    vi.stubEnv("CERTFLOW_FUNCTION", "RecordOrder");
    vi.stubEnv("CERTFLOW_PUBLIC_API_URL", "https://api.example/prod");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
    try {
      const { handler } = (await import(pathToFileURL(outfile).href)) as {
        handler: (event: unknown, context: unknown) => Promise<unknown>;
      };
      const context = fakeLambdaContext("RecordOrder");
      await expect(handler({ orderId: "not an id" }, context)).rejects.toThrow(/RecordOrder: /);
      await expect(handler({ orderId: "ord_abc" }, context)).rejects.toThrow(
        /RecordOrder is not given the store/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  }, 60_000);

  it("resolve zod to the lean module, which has every member the functions call", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(PROJECT_ROOT, "functions"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bz\.([a-z]\w*)\s*\(/g)) {
        used.add(match[1] ?? "");
      }
    }
    expect(used.size).toBeGreaterThan(0);
    for (const member of used) {
      expect(Object.keys(z), `zod member ${member}`).toContain(member);
      expect(typeof (z as Record<string, unknown>)[member], member).toBe("function");
    }
  });
});
