import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** The numbers README's "Scale" table gives, by the constant or setting each row names first. */
export function documentedScale(): Map<string, number> {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("\n### Scale\n");
  const end = readme.indexOf("\n### ", start + 1);
  expect(start).toBeGreaterThan(0);
  const rows = new Map<string, number>();
  for (const line of readme.slice(start, end).split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const [, , value, where] = cells;
    const name = /^`([^`]+)`/.exec(where ?? "")?.[1];
    if (name !== undefined && value !== undefined && /^[\d,]+$/.test(value)) {
      rows.set(name, Number(value.replaceAll(",", "")));
    }
  }
  return rows;
}
