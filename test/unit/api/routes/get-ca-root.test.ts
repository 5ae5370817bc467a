import { describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../../../functions/adapters/memory/memory-blob-store.ts";
import { loadServiceCatalog } from "../../../../functions/composition/service-catalog.ts";
import { fixedClock } from "../../../../functions/domain/clock.ts";
import { type CaKind, caProfileOf } from "../../../../functions/ports/certificate-authority.ts";
import { CertificateVault } from "../../../../functions/vault/certificate-vault.ts";
import { derivedKeyPassphrases } from "../../../../functions/vault/key-passphrases.ts";
import { DEFAULT_WORKFLOW_SETTINGS } from "../../../../functions/workflow/workflow-settings.ts";
import { everythingFrom } from "../../../support/declared-steps.ts";

const { routes } = await loadServiceCatalog();
const getCaRoot = routes.find(({ declaration }) => declaration.name === "GetCaRoot")?.declaration;
if (getCaRoot === undefined) throw new Error("GetCaRoot is not declared");

const ROOT = "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n";

/** The route bound to a vault and a CA kind only: it is given no CA, so it can use none. */
async function call(kind: CaKind, published: string | undefined) {
  const blobs = createMemoryBlobStore();
  const vault = new CertificateVault(blobs, derivedKeyPassphrases(new Uint8Array(32)));
  if (published !== undefined) await vault.publishCaRoot(published);
  const handle = getCaRoot?.bind(
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
  return handle?.({ httpMethod: "GET", path: "/v1/ca/root.pem" }).catch((error: unknown) => error);
}

describe("GET /v1/ca/root.pem", () => {
  it("needs read access to the vault's public folder and nothing else", () => {
    expect(getCaRoot?.needs).toEqual({ vaultRead: ["public"] });
  });

  it("answers the root the embedded CA published", async () => {
    const answer = await call("embedded", ROOT);

    expect(answer).toMatchObject({
      statusCode: 200,
      body: ROOT,
      headers: { "content-type": "application/x-pem-file" },
    });
  });

  it.each([
    ["an ACME CA, even with an earlier embedded root left in the vault", "acme", ROOT],
    ["an embedded CA that has not published its root yet", "embedded", undefined],
  ] as const)("answers 404 for %s", async (_case, kind, published) => {
    const answer = await call(kind, published);

    expect(answer).toMatchObject({ status: 404, code: "NOT_FOUND" });
  });
});
