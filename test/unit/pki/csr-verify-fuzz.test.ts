import { describe, expect, it } from "vitest";
import { buildCsr } from "../../../functions/pki/csr-build.ts";
import { CSR_DEFECT_CODES } from "../../../functions/pki/csr-defects.ts";
import { verifyCsr } from "../../../functions/pki/csr-verify.ts";
import { generateKeyPair } from "../../../functions/pki/key-pairs.ts";
import { parsePemBlocks } from "../../../functions/pki/pem.ts";
import { asPem, mutateDer, seededRandom } from "../../support/der-mutations.ts";

const NAMES = ["shop.example.com", "www.shop.example.com"];
const csrPem = await buildCsr({ keys: await generateKeyPair("EC-P256"), names: NAMES });
const csrDer = parsePemBlocks(csrPem)[0]?.der ?? new Uint8Array();
const MUTATIONS = 2_500;

describe("verifyCsr on mutated CSRs", () => {
  it.each([
    ["DER", (der: Uint8Array) => der],
    ["PEM", (der: Uint8Array) => asPem(der, "CERTIFICATE REQUEST")],
  ] as const)(
    "ends each of %s 2,500 mutations in named defects, never a throw",
    async (_form, encode) => {
      // Prepare
      const random = seededRandom(_form === "DER" ? 11 : 12);
      const unexpected: string[] = [];
      const unnamed: string[] = [];
      let refused = 0;

      // Act
      for (let index = 0; index < MUTATIONS; index++) {
        try {
          const verification = await verifyCsr(encode(mutateDer(csrDer, index, random)), NAMES);
          if (!verification.ok) refused += 1;
          for (const defect of verification.defects) {
            if (!CSR_DEFECT_CODES.includes(defect.code) || defect.message === "") {
              unnamed.push(`#${index}: ${defect.code}`);
            }
          }
        } catch (error) {
          unexpected.push(`#${index}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }

      // Assess
      expect(unexpected).toEqual([]);
      expect(unnamed).toEqual([]);
      expect(refused).toBeGreaterThan(MUTATIONS * 0.9);
    },
    120_000,
  );
});
