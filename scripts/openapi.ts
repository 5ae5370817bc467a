// Writes openapi.json: the OpenAPI 3.1 document of the routes in functions/api/routes, which
// GET /v1/openapi.json serves (npm run openapi; npm run synth runs it first). With --check it
// writes nothing and fails when openapi.json is not what the routes make (npm test runs that).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { openApiDocument } from "../functions/api/openapi-document.ts";
import { loadServiceCatalog } from "../functions/composition/service-catalog.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const target = `${root}openapi.json`;
const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { version: string };
const { routes } = await loadServiceCatalog();
const document = openApiDocument(
  routes.map(({ declaration }) => declaration),
  { version },
);

if (process.argv.includes("--check")) {
  const committed: unknown = JSON.parse(readFileSync(target, "utf8"));
  if (!isDeepStrictEqual(committed, document)) {
    console.error(
      "openapi.json is not what the route declarations and schemas make: run `npm run openapi` and commit it.",
    );
    process.exit(1);
  }
  console.log(`openapi.json is current (${routes.length} routes)`);
} else {
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  // As the project formats JSON, so that `npm run lint` finds nothing to change.
  execFileSync(`${root}node_modules/.bin/biome`, ["format", "--write", target], {
    stdio: "ignore",
  });
  console.log(`openapi.json: ${routes.length} routes`);
}
