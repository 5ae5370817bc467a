import { describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { loadServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import {
  type CaKind,
  CRL_PATH,
  caProfileOf,
} from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { everythingFrom } from "../../../support/declared-steps.ts";

const { routes } = await loadServiceCatalog();
const getCaCrl = routes.find(({ declaration }) => declaration.name === "GetCaCrl")?.declaration;
if (getCaCrl === undefined) throw new Error("GetCaCrl is not declared");

const CRL = Uint8Array.from([0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x7f]);

/** The route bound to a vault and a CA kind only: it is given no CA, so it can use none. */
async function call(kind: CaKind, published: Uint8Array | undefined) {
  const blobs = createMemoryBlobStore();
  const vault = new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32)));
  if (published !== undefined) await vault.publishCrl(published);
  const handle = getCaCrl?.bind(
    everythingFrom({
      clock: fixedClock(new Date("2027-01-10T08:00:00Z")),
      settings: DEFAULT_WORKFLOW_SETTINGS,
      caProfile: caProfileOf(kind),
      newOrderId: () => "ord_unused",
      serviceInfo: {},
      logError: () => undefined,
      vault,
    }),
  );
  return handle?.({ httpMethod: "GET", path: CRL_PATH }).catch((error: unknown) => error);
}

describe("GET /v1/ca/crl", () => {
  it("is public, at the path certificates name, and reads the vault's public folder and nothing else", () => {
    expect(`${getCaCrl?.method} ${getCaCrl?.path}`).toBe(`GET ${CRL_PATH}`);
    expect(getCaCrl?.access).toBe("public");
    expect(getCaCrl?.needs).toEqual({ vaultRead: ["public"] });
  });

  it("answers the DER the embedded CA published, as bytes of type application/pkix-crl", async () => {
    const answer = (await call("embedded", CRL)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
      isBase64Encoded: boolean;
    };

    expect(answer).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { "content-type": "application/pkix-crl" },
    });
    expect(Buffer.from(answer.body, "base64")).toEqual(Buffer.from(CRL));
  });

  it.each([
    ["an ACME CA, even with an earlier embedded CRL left in the vault", "acme", CRL],
    ["an embedded CA that has not published its CRL yet", "embedded", undefined],
  ] as const)("answers 404 for %s", async (_case, kind, published) => {
    const answer = await call(kind, published);

    expect(answer).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
