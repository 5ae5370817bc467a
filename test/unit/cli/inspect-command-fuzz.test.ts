import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../../functions/cli/cli-io.ts";
import { main } from "../../../functions/cli/main.ts";
import { certificateDer } from "../../../functions/pki/certificate-info.ts";
import { parsePemBlocks } from "../../../functions/pki/pem.ts";
import { asPem, mutateDer, seededRandom } from "../../support/der-mutations.ts";
import { hierarchy, leafFor } from "../pki/ca-fixtures.ts";

const { intermediate } = await hierarchy();
const leaf = await leafFor(intermediate);
const SAMPLES = {
  CSR: parsePemBlocks(leaf.csrPem)[0]?.der ?? new Uint8Array(),
  certificate: certificateDer(leaf.certificatePem),
};
const LABELS = { CSR: "CERTIFICATE REQUEST", certificate: "CERTIFICATE" } as const;
const MUTATIONS = 1_250;

const dir = mkdtempSync(join(tmpdir(), "certflow-inspect-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How `certflow inspect` ended: its exit code and what it wrote to stderr. */
async function inspect(content: Uint8Array | string) {
  const file = join(dir, "input");
  writeFileSync(file, content);
  const err: string[] = [];
  const io: CliIo = { out: () => undefined, err: (text) => err.push(text) };
  const code = await main(["inspect", file, "--domain", "shop.example.com"], io);
  return { code, stderr: err.join("\n") };
}

describe("certflow inspect on mutated inputs", () => {
  it.each([
    ["CSR", "DER"],
    ["CSR", "PEM"],
    ["certificate", "DER"],
    ["certificate", "PEM"],
  ] as const)(
    "answers each of 1,250 mutated %s files (%s) with findings or a named refusal, never a crash",
    async (kind, form) => {
      // Prepare
      const random = seededRandom(kind.length * 7 + form.length);
      const crashes: string[] = [];

      // Act
      for (let index = 0; index < MUTATIONS; index++) {
        const der = mutateDer(SAMPLES[kind], index, random);
        const answer = await inspect(form === "DER" ? der : asPem(der, LABELS[kind]));
        // Findings exit 0 or 1 with nothing on stderr; a refusal exits 2 and points to --help.
        const named =
          (answer.code !== 2 && answer.stderr === "") ||
          (answer.code === 2 && answer.stderr.includes("certflow inspect --help"));
        if (!named) crashes.push(`#${index} exit ${answer.code}: ${answer.stderr.slice(0, 120)}`);
      }

      // Assess
      expect(crashes).toEqual([]);
    },
    120_000,
  );
});
