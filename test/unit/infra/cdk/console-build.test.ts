import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONSOLE_FILES,
  ConsoleNotBuilt,
  currentConsoleBuild,
} from "../../../../infra/cdk/console-build.ts";

function buildDir(current?: unknown, files: readonly string[] = CONSOLE_FILES): string {
  const dir = mkdtempSync(join(tmpdir(), "certflow-console-build-"));
  if (current !== undefined) writeFileSync(join(dir, "current.json"), JSON.stringify(current));
  mkdirSync(join(dir, "b1-abc"));
  for (const file of files) writeFileSync(join(dir, "b1-abc", file), "x");
  return dir;
}

describe("the console build the CDK app deploys", () => {
  it("is the folder current.json names", () => {
    const dir = buildDir({ dir: "b1-abc", builtAt: 1 });
    expect(currentConsoleBuild(dir)).toBe(join(dir, "b1-abc"));
  });

  it("is refused with the way to build it when there is none", () => {
    expect(() => currentConsoleBuild(buildDir())).toThrow(ConsoleNotBuilt);
    expect(() => currentConsoleBuild(buildDir())).toThrow(/run `npm install`/);
    expect(() => currentConsoleBuild(buildDir({ dir: "../elsewhere" }))).toThrow(
      /current.json names no build folder/,
    );
    expect(() =>
      currentConsoleBuild(buildDir({ dir: "b1-abc" }, ["index.html", "console.css"])),
    ).toThrow(/lacks console\.js/);
  });
});
