import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  checkImportWalls,
  extractSpecifiers,
  formatViolation,
  IMPORT_WALLS,
  type ImportViolation,
  importWall,
  resolveSpecifier,
} from "../../support/import-walls.ts";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const fixtureRoot = fileURLToPath(new URL("../../fixtures/import-walls/", import.meta.url));

function listing(violations: readonly ImportViolation[]): string {
  return violations.map(formatViolation).join("\n");
}

describe("import walls in the repository", () => {
  it("no file in functions/, infra/ or statemachines/ imports across a wall", () => {
    const { files, violations } = checkImportWalls({
      baseDir: repoRoot,
      roots: ["functions", "infra", "statemachines"],
    });
    expect(files.length, "the check found no TypeScript files to read").toBeGreaterThan(50);
    expect(
      violations,
      `${violations.length} import(s) cross a wall:\n${listing(violations)}\n`,
    ).toEqual([]);
  });
});

describe("import walls on the fixture tree", () => {
  const { files, violations } = checkImportWalls({
    baseDir: fixtureRoot,
    roots: ["functions", "infra"],
  });

  /** [file, specifier, wall id] for every import the fixtures break a wall with. */
  const expected: [string, string, string][] = [
    ["functions/adapters/bad.ts", "../api/routes/clean.ts", "adapters"],
    ["functions/adapters/bad.ts", "../workflow/steps/clean.ts", "adapters"],
    ["functions/api/routes/bad.ts", "../../lambda/x.ts", "steps-and-routes"],
    ["functions/api/routes/bad.ts", "../../local/x.ts", "steps-and-routes"],
    ["functions/domain/bad.ts", "node:net", "domain"],
    ["functions/domain/bad.ts", "../adapters/x.ts", "domain"],
    ["functions/handlers/bad.ts", "../../infra/local/x.ts", "functions-not-infra"],
    ["functions/pki/bad.ts", "node:fs/promises", "pki"],
    ["functions/pki/bad.ts", "acme-client", "pki"],
    ["functions/pki/bad.ts", "../adapters/x.ts", "pki"],
    ["functions/ports/bad.ts", "node:crypto", "ports"],
    ["functions/ports/bad.ts", "zod", "ports"],
    ["functions/ports/bad.ts", "../vault/x.ts", "ports"],
    ["functions/workflow/steps/bad.ts", "../../adapters/x.ts", "steps-and-routes"],
    ["functions/workflow/steps/bad.ts", "axios", "steps-and-routes"],
    ["functions/workflow/steps/bad.ts", "@aws-sdk/client-sfn", "steps-and-routes"],
    ["infra/cdk/bad.ts", "../local/x.ts", "cdk-not-local"],
  ];
  const sorted = (list: readonly ImportViolation[]) => list.map(formatViolation).sort();

  it("reports each deliberate violation, and nothing else", () => {
    const wanted = expected.map(([file, specifier, id]) => ({
      file,
      specifier,
      rule: importWall(id).name,
    }));
    expect(sorted(violations)).toEqual(sorted(wanted));
  });

  it("has a deliberate violation for every wall", () => {
    const broken = new Set(expected.map(([, , id]) => id));
    expect(IMPORT_WALLS.map((wall) => wall.id).filter((id) => !broken.has(id))).toEqual([]);
  });

  it("reports nothing for the fixture files that keep to their walls", () => {
    const clean = files.filter((file) => !file.endsWith("/bad.ts"));
    expect(clean).toContain("functions/domain/clean.ts");
    expect(clean).toContain("functions/workflow/steps/clean.ts");
    const reported = violations.filter((violation) => clean.includes(violation.file));
    expect(reported, listing(reported)).toEqual([]);
  });

  it("words each violation as: file imports specifier: rule", () => {
    const violation = violations.find((v) => v.specifier === "node:net");
    expect(violation && formatViolation(violation)).toBe(
      `functions/domain/bad.ts imports node:net: ${importWall("domain").name}`,
    );
  });
});

describe("extractSpecifiers", () => {
  it("reads static, type-only, side-effect, re-exported and dynamic imports", () => {
    const source = [
      'import a from "a";',
      "import type { B } from 'b';",
      'import "c";',
      "import {",
      "  d1,",
      "  type d2,",
      '} from "d";',
      'import * as e from "e";',
      'import f, { g } from "f";',
      'export { h } from "h";',
      'export type { I } from "i";',
      'export * from "j";',
      'export * as k from "k";',
      'const l = await import("l");',
      "const m = await import(`m`);",
      'type N = typeof import("n").N;',
      'import from from "o";',
      'import p from "p" with { type: "json" };',
    ].join("\n");
    expect(extractSpecifiers(source)).toEqual([..."abcdefhijklmnop".split("")]);
  });

  it("ignores comments, strings, templates, regular expressions and non-imports", () => {
    const source = [
      "#!/usr/bin/env node",
      '// import "comment";',
      '/* import { x } from "block";',
      '   export * from "block2"; */',
      "const s = 'import \"string\"';",
      'const t = `import "${"template"}" ${import.meta.url}`;',
      'const r = /import "regexp"/;',
      "const u = 'https://example.com'; // a URL's // is no comment inside a string",
      'const v = a / 2; import w from "w";',
      "export { s, t };",
      "export const from = 1;",
      'obj.import("property");',
      'const dynamic = import("x" + suffix);',
      "const template = import(`./${name}.ts`);",
    ].join("\n");
    expect(extractSpecifiers(source)).toEqual(["w"]);
  });

  it("lists each specifier once", () => {
    expect(extractSpecifiers('import "a";\nconst b = import("a");\nexport * from "a";')).toEqual([
      "a",
    ]);
  });
});

describe("resolveSpecifier", () => {
  it("resolves relative paths against the importing file", () => {
    expect(resolveSpecifier("functions/domain/x.ts", "../adapters/y.ts")).toEqual({
      kind: "file",
      path: "functions/adapters/y.ts",
    });
    expect(resolveSpecifier("functions/cli/x.ts", "../../infra/local/y.ts")).toEqual({
      kind: "file",
      path: "infra/local/y.ts",
    });
    expect(resolveSpecifier("functions/domain/x.ts", ".")).toEqual({
      kind: "file",
      path: "functions/domain",
    });
  });

  it("tells built-ins, with or without node:, from packages", () => {
    expect(resolveSpecifier("f.ts", "node:dns/promises")).toEqual({
      kind: "builtin",
      name: "node:dns/promises",
    });
    expect(resolveSpecifier("f.ts", "net")).toEqual({ kind: "builtin", name: "node:net" });
    expect(resolveSpecifier("f.ts", "@aws-sdk/client-s3/dist")).toEqual({
      kind: "package",
      name: "@aws-sdk/client-s3",
    });
    expect(resolveSpecifier("f.ts", "zod/v4")).toEqual({ kind: "package", name: "zod" });
  });

  it("knows every built-in this Node can import without node:", () => {
    const unprefixed = builtinModules.filter((name) => !name.startsWith("node:"));
    const missed = unprefixed.filter((name) => resolveSpecifier("f.ts", name).kind !== "builtin");
    expect(missed).toEqual([]);
  });
});
